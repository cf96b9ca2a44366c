"""FRONTLINE_LOG_FORMAT=json: one object a line, with request fields, still no number or body."""

from __future__ import annotations

import io
import json
import logging

import pytest

from service import log as service_log
from service.config import ConfigError, from_env
from tests.support.privacy import drive_every_channel, secrets_held


@pytest.fixture
def json_lines(monkeypatch):
    """What the JSON handler writes at DEBUG, with the number mask off: code must not log any."""
    monkeypatch.setattr(service_log.RedactNumbers, "filter", lambda self, record: True)
    stream = io.StringIO()
    handler = service_log.handler("json", stream)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_every_line_is_json_with_request_fields_and_holds_no_number_or_body(
    json_lines, client, app, session, demo, vault, queued, console, managers, fake
):
    drive_every_channel(client, app, session, demo, vault, queued, console, managers)
    output = json_lines.getvalue()
    secrets = secrets_held(session, vault)
    leaks = [secret for secret in secrets if secret in output]
    assert leaks == []
    entries = [json.loads(line) for line in output.splitlines()]  # each line one object
    assert all(
        isinstance(e, dict) and {"time", "level", "logger", "message"} <= set(e) for e in entries
    )
    requests = [e for e in entries if e["logger"] == "service.requests"]
    routes = {e["route"] for e in requests}
    assert {"/twilio/sms", "/twilio/voice", "/kiosk/<site_slug>/api/start"} <= routes, routes
    assert any(r.startswith("/console/") for r in routes), routes
    for entry in requests:
        assert len(entry["request_id"]) == 16 and isinstance(entry["status"], int)
        assert isinstance(entry["duration_ms"], float) and entry["method"] in {"GET", "POST"}
    # A line logged inside a request carries that request's id and route too.
    inside = [e for e in entries if e["logger"] == "service.sms.views"]
    assert inside and all("request_id" in e and e["route"] == "/twilio/sms" for e in inside)
    ids = {e["request_id"] for e in requests}
    assert len(ids) == len(requests)  # one id per request


def test_the_mask_still_applies_to_json_messages_and_exceptions():
    stream = io.StringIO()
    logger = logging.getLogger("tests.json_mask")
    logger.propagate = False
    logger.addHandler(service_log.handler("json", stream))
    try:
        logger.warning("texted %s", "07400 123456")
        try:
            raise ValueError("bad number +447400123456")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.handlers.clear()
        logger.propagate = True
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "texted [number]"
    assert "[number]" in second["exception"] and "7400123456" not in second["exception"]


def test_an_unknown_format_stops_start_up():
    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        from_env({"FRONTLINE_ENV": "development", "FRONTLINE_LOG_FORMAT": "xml"})
    assert from_env({"FRONTLINE_ENV": "development", "FRONTLINE_LOG_FORMAT": "json"}).LOG_FORMAT
