"""Logs never hold a number or a message body: every channel driven with DEBUG logging on."""

from __future__ import annotations

import json
import logging
import traceback

import pytest
from sqlalchemy import select

from service import log as service_log
from service.outbox.models import OutboundMessage
from service.sms.models import InboundMessage
from tests.support.outbox import Worker
from tests.support.privacy import (
    BODIES,
    CALLER,
    KIOSK_USER,
    LEAD,
    TEXTER,
    drive_console,
    drive_kiosk,
    drive_sms,
    drive_status_callbacks,
    drive_voice,
    forms,
)


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
