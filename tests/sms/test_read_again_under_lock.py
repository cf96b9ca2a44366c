"""A YES that answers no consent question is read again under the lock: as the member is now.

A YES (FORGET ME's, say) is read before the lock, then again under it (SQLite's write lock,
PostgreSQL's on the contact's row: service.sms.operations), so that what another text committed
in between decides its answer. The second read must give the member and their conversation as
the database has them, not the instances the first read left in the session.

Each request commits for real (committed_app_either): the other text's commit is another
session's, made while this text's request waits between its two reads.
"""

from __future__ import annotations

from sqlalchemy import select, update

from service.contacts.operations import find_contact
from service.db import get_database
from service.demo.content import ORGANISATION
from service.organisations.models import Organisation
from service.sms import lookup
from service.sms.models import ConversationState
from tests.support.sms import Handset

NUMBER = "+447400333791"


def test_a_yes_read_before_the_members_no_landed_deletes_nothing(
    committed_app_either, monkeypatch
) -> None:
    """FORGET ME, then NO and YES at once: the NO commits after the YES's first read.

    Under the lock the question is no longer open: the YES must not erase the member.
    """
    app = committed_app_either
    database = get_database(app)
    phone = Handset(app.test_client(), NUMBER)
    assert phone.send("HELLO").status == 200
    assert "to delete" in phone.send("FORGET ME").text
    real = lookup.contact_and_state
    raced: list[int] = []

    def no_lands_after_the_read(session, *args, **kwargs):
        found, seen = real(session, *args, **kwargs)
        if found is not None and not raced:
            raced.append(found.contact.id)
            # What the member's NO writes (service.sms.context: the question taken, answered).
            state = ConversationState.__table__
            with database.session() as other:
                other.execute(
                    update(state)
                    .where(state.c.contact_id == found.contact.id)
                    .values(pending_kind=None, pending_payload=None)
                )
        return found, seen

    monkeypatch.setattr(lookup, "contact_and_state", no_lands_after_the_read)
    reply = phone.send("YES")
    monkeypatch.setattr(lookup, "contact_and_state", real)
    assert reply.status == 200, reply.xml
    assert raced, "the race did not happen"
    assert "deleted" not in reply.text, reply.texts
    with app.app_context(), database.session() as session:
        org = session.scalars(
            select(Organisation).where(Organisation.slug == ORGANISATION["slug"])
        ).one()
        assert find_contact(session, org.id, NUMBER) is not None
