"""Status callbacks: signed, never backwards, duplicates harmless."""

from __future__ import annotations

from service.outbox.models import OutboundMessage
from service.outbox.operations import send_to_contact
from tests.support import factories
from tests.support.sms import signed_post


def _sent_row(session, worker) -> OutboundMessage:
    org = factories.create_organisation(session)
    contact = factories.create_contact(session, org=org)
    outbox_id = send_to_contact(session, contact.id, org.id, "hi", kind="self", dedupe_key="s")
    session.commit()
    worker.run()
    session.expire_all()
    return session.get_one(OutboundMessage, outbox_id)


def _callback(client, row, status, *, sid=None, error=None):
    form = {
        "MessageSid": sid or row.twilio_sid,
        "MessageStatus": status,
        "AccountSid": "AC" + "0" * 32,
    }
    if error:
        form["ErrorCode"] = error
    return signed_post(client, f"/twilio/sms/status?outbox_id={row.id}", form)


def test_out_of_order_and_repeated_callbacks_never_go_backwards(
    client, session, worker, fake
) -> None:
    row = _sent_row(session, worker)
    for status in ("delivered", "delivered", "sent", "sent", "delivered", "undelivered"):
        assert _callback(client, row, status).status_code == 204
    session.expire_all()
    assert session.get_one(OutboundMessage, row.id).status == "delivered"


def test_an_undelivered_report_keeps_its_error_code(client, session, worker, fake) -> None:
    row = _sent_row(session, worker)
    _callback(client, row, "undelivered", error="30003")
    session.expire_all()
    row = session.get_one(OutboundMessage, row.id)
    assert (row.status, row.error_code) == ("undelivered", 30003)


def test_callbacks_for_another_message_or_unsigned_change_nothing(
    client, session, worker, fake
) -> None:
    row = _sent_row(session, worker)
    assert _callback(client, row, "failed", sid="SM" + "f" * 32).status_code == 204
    form = {"MessageSid": row.twilio_sid, "MessageStatus": "failed"}
    unsigned = client.post(
        f"/twilio/sms/status?outbox_id={row.id}",
        data=form,
        base_url="https://frontline.example.org",
    )
    assert unsigned.status_code == 403
    assert signed_post(client, "/twilio/sms/status", form).status_code == 400
    session.expire_all()
    assert session.get_one(OutboundMessage, row.id).status == "sent"
