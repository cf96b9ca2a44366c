"""A text found for an organisation the number has left is answered again from a fresh start.

Its first attempt, for the organisation this process remembered, may already hold a lock:
on PostgreSQL a text that writes as it reads locks its sender's row in that organisation before
the read that finds the number moved (lookup.lock_sender). The second attempt, for the
organisation that owns the number now, used to run in the same transaction, still holding the
old member's row: a lock of one contact held while another's was taken, against the rule that
every write about a member locks that member first. Now the first attempt is rolled back (it
wrote nothing), and on SQLite the second reads first again before it takes the write lock.
"""

from __future__ import annotations

import sqlite3

import pytest
from psycopg.errors import LockNotAvailable
from sqlalchemy import select, text, update
from sqlalchemy.exc import OperationalError

from service.contacts.operations import find_contact
from service.db import get_database
from service.demo.content import ORGANISATION
from service.organisations.models import Organisation, OrganisationNumber
from service.organisations.operations import create_organisation
from service.sms import lookup
from tests.support.sms import DEMO_NUMBER, Handset

NUMBER = "+447400333555"


def _move_the_number(app) -> tuple[int, int, int]:
    """Make NUMBER a demo member, then give the demo number to another council (committed).

    The demo council's id, the other's, and the member's contact in the demo council.
    """
    assert Handset(app.test_client(), NUMBER).send("HELLO").status == 200  # remembered
    with app.app_context(), get_database(app).session() as session:
        demo_id = session.scalar(
            select(Organisation.id).where(Organisation.slug == ORGANISATION["slug"])
        )
        other = create_organisation(session, slug="other-council", name="Other Council")
        session.execute(
            update(OrganisationNumber)
            .where(OrganisationNumber.e164 == DEMO_NUMBER)
            .values(organisation_id=other.id)
        )
        session.flush()
        return demo_id, other.id, find_contact(session, demo_id, NUMBER).id


def _row_is_locked(database, contact_id: int) -> bool:
    """Whether another transaction holds a lock on the contact's row (PostgreSQL)."""
    with database.engine.connect() as other:
        try:
            other.execute(
                text("SELECT id FROM contact WHERE id = :id FOR UPDATE NOWAIT"), {"id": contact_id}
            )
        except OperationalError as error:
            assert isinstance(error.orig, LockNotAvailable), error
            return True
        finally:
            other.rollback()
    return False


@pytest.mark.postgres  # another connection looks at the row while the text is answered
def test_the_second_attempt_holds_no_lock_on_the_old_organisations_member(
    committed_app, monkeypatch
) -> None:
    app = committed_app
    database = get_database(app)
    demo_id, other_id, old_member = _move_the_number(app)
    confirm = lookup.confirm_organisation
    held_then: list[bool] = []

    def confirm_and_look(org, to, values) -> None:
        if org.id == other_id:  # the second attempt, for the council that owns the number now
            held_then.append(_row_is_locked(database, old_member))
        confirm(org, to, values)

    monkeypatch.setattr(lookup, "confirm_organisation", confirm_and_look)
    # A JOIN of an open group writes as it reads: its sender's row is locked before the read.
    reply = Handset(app.test_client(), NUMBER).send("JOIN CARERS")
    assert held_then == [False]
    assert reply.status == 200, reply.xml
    assert "Other Council" in reply.text, reply.texts  # a first text to the other council
    with app.app_context(), database.session() as session:
        assert find_contact(session, other_id, NUMBER) is not None
        assert find_contact(session, demo_id, NUMBER).id == old_member


def test_the_second_attempt_reads_before_it_takes_sqlites_write_lock(
    committed_app_either, engine, monkeypatch
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's one write lock; PostgreSQL reads under no lock")
    app = committed_app_either
    _, other_id, _ = _move_the_number(app)
    contact_and_state = lookup.contact_and_state
    others_could_write: list[bool] = []

    def look_then_read(session, org, *args, **kwargs):
        if org.id == other_id:  # the second attempt's read, before any write
            others_could_write.append(_another_writer_can_begin(engine))
        return contact_and_state(session, org, *args, **kwargs)

    monkeypatch.setattr(lookup, "contact_and_state", look_then_read)
    reply = Handset(app.test_client(), NUMBER).send("GROUPS")  # read, then answered
    assert others_could_write == [True]
    assert reply.status == 200, reply.xml
    assert "Other Council" in reply.text, reply.texts


def _another_writer_can_begin(engine) -> bool:
    """Whether another process gets SQLite's write lock at once (no waiting)."""
    other = sqlite3.connect(engine.url.database, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
        return False
    finally:
        other.close()
