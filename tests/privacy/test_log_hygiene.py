"""Logs never hold a number or a message body: every channel driven with DEBUG logging on."""

from __future__ import annotations

import datetime as dt
import json
import logging
import traceback

import pytest
from sqlalchemy import select

from service import log as service_log
from service.callbacks.models import CallbackRequest
from service.contacts.operations import find_contact
from service.content import queries
from service.db import utcnow
from service.outbox.models import OutboundMessage
from service.sms.models import InboundMessage
from tests.outbox.conftest import Worker
from tests.privacy.conftest import SITE, network_id
from tests.sms.conftest import Handset, signed_post
from tests.verification.conftest import code_in, texts_to
from tests.voice.conftest import Caller

TEXTER, CALLER, KIOSK_USER, LEAD = (
    "+447400123456",
    "+447400765432",
    "+447400234567",
    "+447400998877",
)
# What people write: distinctive, so any copy of them in a log is found.
BODIES = (
    "JOIN CARERS",
    "JOIN MINDS",
    "EVENTS",
    "GOING 1",
    "CALL ME",
    "my manager shouts at me every shift",
    "LANGUAGE POLSKI",
    "SPEAKUP the night shift rota is unsafe",
    "FORGET ME",
)


def forms(e164: str) -> list[str]:
    """Every way a UK number is written: +44…, 44…, 07… with and without its space."""
    national = "0" + e164[3:]
    return [e164, e164[1:], national, f"{national[:5]} {national[5:]}", e164[3:]]


@pytest.fixture
def captured(caplog, monkeypatch):
    """Every record at DEBUG, unmasked: the safety net must not hide what code logs."""
    monkeypatch.setattr(service_log.RedactNumbers, "filter", lambda self, record: True)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="service")
    return caplog


def rendered(record: logging.LogRecord) -> str:
    """All a log line could show: message, arguments, exception and stack."""
    parts = [record.name, str(record.msg), record.getMessage(), repr(record.args)]
    if record.exc_info:
        parts.append("".join(traceback.format_exception(*record.exc_info)))
    if record.stack_info:
        parts.append(record.stack_info)
    return "\n".join(parts)


def drive_sms(client) -> None:
    phone = Handset(client, TEXTER)
    for body in BODIES[:-1]:
        phone.send(body)
    phone.send("YES")
    # A forged webhook is refused (and logged) without naming who it claims to be from.
    signed_post(client, "/twilio/sms", phone.form("JOIN CARERS"), token="not-the-token")


def drive_status_callbacks(client, session) -> None:
    for row in session.scalars(
        select(OutboundMessage).where(OutboundMessage.twilio_sid.is_not(None))
    ):
        signed_post(
            client,
            f"/twilio/sms/status?outbox_id={row.id}",
            {"MessageSid": row.twilio_sid, "MessageStatus": "delivered", "To": TEXTER},
        )


def drive_voice(client) -> None:
    call = Caller(client, CALLER)
    call.dial_in()
    call.press("1")
    call.press("1")
    call.silence()
    call.press("0")  # back to the main menu
    call.press("4")  # a message for the organisers: the contact and the call's row start here
    signed_post(
        client,
        "/twilio/voice/recording",
        {
            "CallSid": call.call_sid,
            "RecordingSid": "RE" + "d" * 32,
            "RecordingDuration": "9",
            "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE"
            + "d" * 32,
        },
    )
    signed_post(
        client, "/twilio/voice/status", {"CallSid": call.call_sid, "CallStatus": "completed"}
    )


def drive_kiosk(client, session, demo, vault) -> None:
    careers = network_id(session, "careers")
    refused = client.post(
        f"{SITE}api/start", json={"action": "join", "network": careers, "phone": "07400 2345"}
    )
    assert refused.status_code == 400
    started = client.post(
        f"{SITE}api/start", json={"action": "join", "network": careers, "phone": "07400 234567"}
    ).get_json()
    client.post(f"{SITE}api/check", json={"token": started["token"], "code": "000000x"})
    # No contact until the code matches: the code's text is found by the number.
    code = code_in(texts_to(session, vault, KIOSK_USER)[-1])
    assert (
        client.post(f"{SITE}api/check", json={"token": started["token"], "code": code}).status_code
        == 200
    )
    now = utcnow()
    occurrence = queries.upcoming_occurrences(
        session, demo.id, start=now, end=now + dt.timedelta(days=14), language="en"
    )[0]
    client.post(
        f"{SITE}api/text-me",
        json={
            "event": occurrence.event_id,
            "phone": "07400234567",
            "occurrence": occurrence.starts_at.isoformat(),
        },
    )


def drive_console(client, console, managers, session, demo) -> None:
    admin = managers["admin"]
    console.sign_in(admin.email, admin.totp_secret)
    console.post(
        "/console/callbacks/phone", {"phone": "07400 998877"}, token_from="/console/callbacks"
    )
    for path in ("/console/", "/console/callbacks", "/console/reach", "/console/audit"):
        assert console.get(path).status_code == 200
    voicemail = session.scalar(select(CallbackRequest.id).where(CallbackRequest.channel == "voice"))
    revealed = console.post(
        f"/console/callbacks/{voicemail}/reveal", {}, token_from="/console/callbacks"
    )
    assert "07400 765432" in revealed.get_data(as_text=True)  # on the page, never in a log
    console.post("/console/privacy", {"phone": "07400 765432"})
    caller = find_contact(session, demo.id, CALLER)
    console.post(f"/console/privacy/{caller.id}/export.pdf", {}, token_from="/console/privacy")
    console.post(f"/console/privacy/{caller.id}/export.json", {}, token_from="/console/privacy")
    console.post(
        f"/console/privacy/{caller.id}/erase", {"confirm": "y"}, token_from="/console/privacy"
    )
    # And the texter leaves by text.
    Handset(client, TEXTER).send(BODIES[-1])
    Handset(client, TEXTER).send("YES")


def test_no_number_and_no_body_reaches_the_logs(
    captured, client, app, session, demo, vault, queued, console, managers, fake
):
    drive_sms(client)
    drive_voice(client)
    drive_kiosk(client, session, demo, vault)
    # The worker sends the codes and "text me this" through the fake Twilio; Twilio reports back.
    Worker(app, queued).run()
    drive_status_callbacks(client, session)
    drive_console(client, console, managers, session, demo)

    sent = [vault.decrypt(r.body_encrypted) for r in session.scalars(select(OutboundMessage))]
    replies = [
        text
        for r in session.scalars(select(InboundMessage))
        if r.replies_encrypted
        for text in json.loads(vault.decrypt(r.replies_encrypted))
    ]
    secrets = [
        *(form for number in (TEXTER, CALLER, KIOSK_USER, LEAD) for form in forms(number)),
        *BODIES,
        *(text for text in sent + replies if len(text) >= 12),
    ]
    records = captured.records
    # The flows did log: the test would prove nothing against silence.
    names = {r.name for r in records}
    assert {"service.sms.operations", "service.sms.views", "service.outbox.views"} <= names, names
    assert "huey" in names
    # The twilio library logs each REST request's URL, and a deletion's URL holds a SID that
    # Twilio can tie to a number: it is kept quiet below WARNING.
    assert "twilio.http_client" not in names
    leaks = [
        (record.name, secret)
        for record in records
        for secret in secrets
        if secret in rendered(record)
    ]
    assert leaks == []
