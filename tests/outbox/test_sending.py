"""Sending through the fake Twilio: retries, permanent errors, and every check at claim time."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from service.contacts.operations import join_network, leave_network, opt_out
from service.outbox.models import OutboundMessage
from service.outbox.operations import Draft, send_one, send_to_contact
from tests.support import factories
from tests.support.fake_twilio import Answer
from tests.support.outbox import SENDER, Worker, send_locally
from tests.support.privacy import ask_at_kiosk
from tests.support.sms import Handset


def _text(session, contact, body="Your code is 123456", key=None, urgent=False) -> int:
    outbox_id = send_to_contact(
        session,
        contact.id,
        contact.organisation_id,
        body,
        kind="self",
        dedupe_key=key or f"test:{body}:{contact.id}",
        urgent=urgent,
    )
    session.commit()
    return outbox_id


def _row(session, outbox_id) -> OutboundMessage:
    session.expire_all()
    return session.get_one(OutboundMessage, outbox_id)


def test_a_row_is_queued_only_after_its_cause_commits(session, queued) -> None:
    org = factories.create_organisation(session)
    contact = factories.create_contact(session, org=org)
    session.commit()
    send_to_contact(session, contact.id, org.id, "hello", kind="self", dedupe_key="k1")
    assert queued == []  # not committed yet
    session.rollback()
    assert queued == []  # rolled back: never existed
    outbox_id = _text(session, contact, "hello")
    assert queued == [outbox_id]


def test_a_message_goes_to_twilio_with_our_callback(session, fake, worker) -> None:
    org = factories.create_organisation(session)
    contact = factories.create_contact(session, org=org, phone="+447400111222")
    outbox_id = _text(session, contact, "Cuppa and chat, Fri 12:30")
    worker.run()
    [sent] = fake.sent
    assert (sent["To"], sent["From"], sent["Body"]) == (
        "+447400111222",
        SENDER,
        "Cuppa and chat, Fri 12:30",
    )
    assert sent["StatusCallback"].endswith(f"/twilio/sms/status?outbox_id={outbox_id}")
    row = _row(session, outbox_id)
    assert (row.status, row.twilio_sid, row.attempts) == ("sent", sent["sid"], 1)
    assert row.segments == 1 and row.cost_estimate_pence > 0


def test_a_dedupe_key_makes_a_second_write_a_no_op(session, queued) -> None:
    org = factories.create_organisation(session)
    contact = factories.create_contact(session, org=org)
    first = _text(session, contact, "a", key="same")
    assert _text(session, contact, "a", key="same") is None
    assert queued == [first]


def test_busy_and_broken_twilio_is_retried_with_backoff(session, fake, worker) -> None:
    org = factories.create_organisation(session)
    contact = factories.create_contact(session, org=org)
    outbox_id = _text(session, contact)
    fake.script.extend([Answer(429, 20429), Answer(500), Answer(hang_seconds=1.5)])
    worker.run()
    row = _row(session, outbox_id)
    assert (row.status, row.attempts, row.error_code) == ("pending", 1, 20429)
    assert row.next_attempt_at == worker.now + dt.timedelta(seconds=10)
    assert fake.sent == []
    worker.advance(10)
    worker.run()  # 500
    worker.advance(60)
    worker.run()  # hangs past the client's timeout
    assert _row(session, outbox_id).status == "pending"
    worker.advance(300)
    worker.run()
    row = _row(session, outbox_id)
    assert (row.status, row.attempts) == ("sent", 4)
    assert len(fake.sent) == 1


def test_twilio_saying_unsubscribed_opts_the_contact_out(session, fake, worker) -> None:
    org = factories.create_organisation(session)
    contact = factories.create_contact(session, org=org)
    outbox_id = _text(session, contact)
    fake.script.append(Answer(400, 21610))
    worker.run()
    row = _row(session, outbox_id)
    assert (row.status, row.error_code) == ("failed", 21610)
    assert worker.later == {}  # permanent: no retry
    assert row.contact_id == contact.id
    session.expire_all()
    assert session.get_one(type(contact), contact.id).opted_out_at is not None


def test_an_invalid_number_is_never_tried_again(session, fake, worker) -> None:
    org = factories.create_organisation(session)
    contact = factories.create_contact(session, org=org)
    first = _text(session, contact, "one")
    fake.script.append(Answer(400, 21211))
    worker.run()
    second = _text(session, contact, "two")
    worker.run()
    assert _row(session, first).status == "failed"
    row = _row(session, second)
    assert (row.status, row.skip_reason) == ("cancelled", "number cannot take texts")
    assert fake.requests == 1


def test_an_opt_out_after_writing_stops_the_send(session, fake, worker) -> None:
    org = factories.create_organisation(session)
    contact = factories.create_contact(session, org=org)
    outbox_id = _text(session, contact)
    opt_out(session, contact)
    session.commit()
    worker.run()
    assert (_row(session, outbox_id).status, fake.requests) == ("cancelled", 0)


def test_a_network_message_to_someone_who_left_is_not_sent(session, fake, worker) -> None:
    from service.outbox.operations import Draft, enqueue

    org = factories.create_organisation(session)
    network = factories.create_network(session, org=org)
    contact = factories.create_contact(session, org=org)
    join_network(session, contact, network, channel="sms")
    [outbox_id] = enqueue(
        session,
        organisation_id=org.id,
        kind="broadcast",
        drafts=[Draft(contact.id, "News", "n1", network_ids=[network.id])],
    )
    leave_network(session, contact, network.id, channel="sms")
    session.commit()
    worker.run()
    row = _row(session, outbox_id)
    assert (row.status, row.skip_reason, fake.requests) == ("cancelled", "no longer a member", 0)


def test_numbers_outside_allowed_countries_never_reach_twilio(session, fake, worker) -> None:
    org = factories.create_organisation(session)
    contact = factories.create_contact(session, org=org, phone="+48 22 123 45 67")
    outbox_id = _text(session, contact)
    worker.run()
    row = _row(session, outbox_id)
    assert (row.status, row.skip_reason, fake.requests) == ("cancelled", "country not allowed", 0)


def test_loop_guard_and_daily_cap(session, fake, worker, app) -> None:
    org = factories.create_organisation(session)
    contact = factories.create_contact(session, org=org)
    first = _text(session, contact, "same words", key="a")
    second = _text(session, contact, "same words", key="b")
    worker.run()
    assert _row(session, first).status == "sent"
    assert _row(session, second).skip_reason == "identical text sent recently"
    worker.config = worker.config.replace(MAX_DAILY_TEXTS=3)
    ids = [_text(session, contact, f"message {n}") for n in range(4)]
    worker.run()
    assert [_row(session, i).status for i in ids] == ["sent", "sent", "cancelled", "cancelled"]
    assert _row(session, ids[-1]).skip_reason == "daily limit reached"


def test_quiet_hours_hold_messages_until_morning_unless_urgent(session, fake, worker) -> None:
    org = factories.create_organisation(session)
    contact = factories.create_contact(session, org=org)
    worker.config = worker.config.replace(QUIET_HOURS="21:00-08:00")
    worker.now = dt.datetime(2026, 7, 1, 21, 30, tzinfo=dt.UTC)  # 22:30 in London (BST)
    calm = _text(session, contact, "Tomorrow's meeting")
    urgent = _text(session, contact, "Depot closed tomorrow: flooding", urgent=True)
    worker.run()
    assert _row(session, calm).status == "pending"
    assert _row(session, urgent).status == "sent"
    # 08:00 BST is 07:00 UTC: 9.5 hours after 21:30 UTC.
    assert worker.later[calm] == 9.5 * 3600
    worker.advance(9.5 * 3600)
    worker.run()
    assert _row(session, calm).status == "sent"


def test_without_twilio_the_dev_transport_keeps_messages_local(session, app, queued) -> None:
    org = factories.create_organisation(session)
    contact = factories.create_contact(session, org=org)
    outbox_id = _text(session, contact)
    config = app.config["FRONTLINE"].replace(TWILIO_ACCOUNT_SID="", SMS_SEND_RATE=0)
    send_locally(app, outbox_id, config)
    row = _row(session, outbox_id)
    # The row itself is the local log that /dev/phone reads.
    assert row.status == "sent" and row.twilio_sid.startswith("DEV")


def test_a_text_to_a_number_that_is_no_contact_goes_to_that_number(session, fake, worker) -> None:
    # Codes and "text me this" go out before any contact exists (none is written until the
    # code matches): the row carries the number, encrypted, and the worker sends to it.
    org = factories.create_organisation(session)

    def code_to(number: str, body: str, key: str) -> int | None:
        return send_one(
            session, org.id, Draft(None, body, key, to=number), kind="code", urgent=True
        )

    first = code_to("+447400222333", "Your code: 123456", "code:a")
    session.commit()
    row = _row(session, first)
    assert row.contact_id is None and "7400222333" not in row.to_encrypted
    worker.run()
    [sent] = fake.sent
    assert (sent["To"], sent["Body"]) == ("+447400222333", "Your code: 123456")
    # A number that texted STOP since still gets nothing; a foreign one never reaches Twilio.
    opt_out(session, factories.create_contact(session, org=org, phone="+447400222333"))
    stopped = code_to("+447400222333", "Your code: 654321", "code:b")
    foreign = code_to("+48 512 345 678", "Your code: 111111", "code:c")
    session.commit()
    worker.run()
    assert _row(session, stopped).skip_reason == "opted out"
    assert _row(session, foreign).skip_reason == "country not allowed"
    assert fake.requests == 1


def test_quiet_hours_end_at_eight_on_the_night_the_clocks_go_back(session, fake, worker) -> None:
    # 22:30 BST on Saturday 30 October 2027; the clocks go back at 02:00, so 08:00 GMT is
    # 10.5 hours later, not the 9.5 that wall-clock arithmetic gives.
    org = factories.create_organisation(session)
    contact = factories.create_contact(session, org=org)
    worker.config = worker.config.replace(QUIET_HOURS="21:00-08:00")
    worker.now = dt.datetime(2027, 10, 30, 21, 30, tzinfo=dt.UTC)
    calm = _text(session, contact, "Tomorrow's meeting")
    worker.run()
    assert worker.later[calm] == 10.5 * 3600


def test_a_kiosk_code_to_a_members_own_number_is_sent(client, session, demo, app, queued, fake):
    # The code's row names no contact (a typed number), but the number is a member's: the
    # check just before sending reads that member's STOP, and must still find them.
    Handset(client, "+447400111333").send("HELLO")
    ask_at_kiosk(client, session, "07400 111333", "k" * 40)
    Worker(app, queued).run()
    codes = [m for m in fake.sent if m["To"] == "+447400111333" and "your code is" in m["Body"]]
    assert len(codes) == 1
    row = session.scalars(select(OutboundMessage).where(OutboundMessage.kind == "code")).one()
    session.refresh(row)
    assert row.status == "sent" and row.contact_id is None
