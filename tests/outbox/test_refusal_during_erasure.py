"""Twilio refuses a text as opted out (21610) while the same member is being erased.

The refusal's record locked the text's outbox row, then wrote the contact's opted_out_at; the
erasure locks the contact, then deletes the member's outbox rows. In opposite orders, PostgreSQL
ended one of them with a deadlock: the erasure failed, or the worker's record of the refusal.
Now the record locks the contact first, as every write about a member does: it waits for the
erasure, and then finds the text gone with the member.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text

from service.contacts.models import Contact
from service.db import get_database, utcnow
from service.outbox.claims import claim_batch
from service.outbox.models import OutboundMessage
from service.outbox.operations import send_to_contact
from service.outbox.sending import record_failure
from service.privacy import erasure
from service.twilio_gateway import SendError
from tests.support import factories
from tests.support.committed import wait_for_a_lock_wait
from tests.support.outbox import MORNING

pytestmark = pytest.mark.postgres  # two transactions at once need PostgreSQL

NUMBER = "+447400333777"
PATIENCE = 20  # seconds: every wait below ends, whatever the transactions do


def _in_a_transaction(app, failures: list[BaseException], work) -> threading.Thread:
    def run() -> None:
        try:
            with app.app_context(), get_database(app).session() as session:
                # Past a deadlock's detection (a second), short of the test's patience.
                session.execute(text("SET LOCAL lock_timeout = '10s'"))
                work(session)
        except BaseException as error:  # reported below, in the test's own thread
            failures.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_refusal_recorded_while_the_member_is_erased(committed_app, monkeypatch) -> None:
    app = committed_app
    database = get_database(app)
    with app.app_context(), database.session() as session:
        org = factories.create_organisation(session)
        contact = factories.create_contact(session, org=org, phone=NUMBER)
        session.flush()
        outbox_id = send_to_contact(
            session, contact.id, org.id, "Cuppa and chat", kind="self", dedupe_key="refused"
        )
        session.flush()
        # The worker has claimed the text and handed it to Twilio.
        [claim] = claim_batch(session, [outbox_id], app.config["FRONTLINE"], MORNING).claims
        contact_id = contact.id

    # The erasure stops just after it has locked the member's row.
    locked, go_on = threading.Event(), threading.Event()
    owe_twilio = erasure.owe_twilio

    def owe_twilio_after_a_pause(*args):
        locked.set()
        if not go_on.wait(PATIENCE):
            raise AssertionError("the erasure was never let go on")
        return owe_twilio(*args)

    monkeypatch.setattr(erasure, "owe_twilio", owe_twilio_after_a_pause)
    failures: list[BaseException] = []
    recorded: list[float | None] = []
    erasing = _in_a_transaction(
        app,
        failures,
        lambda session: erasure.erase_contact(session, session.get_one(Contact, contact_id)),
    )
    assert locked.wait(PATIENCE), failures
    refused = SendError("Attempt to send to unsubscribed recipient", code=21610, transient=False)
    recording = _in_a_transaction(
        app,
        failures,
        lambda session: recorded.append(
            record_failure(session, outbox_id, claim.attempt, refused, utcnow())
        ),
    )
    wait_for_a_lock_wait(database, "the refusal's record")
    go_on.set()
    for thread in (erasing, recording):
        thread.join(PATIENCE)
        assert not thread.is_alive()
    assert failures == []
    assert recorded == [None]  # final, and nothing left to retry
    with app.app_context(), database.session() as session:
        assert session.get(Contact, contact_id) is None
        assert session.scalars(select(OutboundMessage.id)).all() == []
