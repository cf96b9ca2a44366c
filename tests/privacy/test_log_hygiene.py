"""Logs never hold a number or a message body: every channel driven with DEBUG logging on."""

from __future__ import annotations

import logging
import traceback

import pytest

from service import log as service_log
from tests.support.privacy import drive_every_channel, secrets_held


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
    drive_every_channel(client, app, session, demo, vault, queued, console, managers)
    secrets = secrets_held(session, vault)
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
