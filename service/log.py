"""Logging set-up with a last-line filter that masks anything shaped like a phone number."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
from typing import TextIO

# E.164 (+447400123456), UK national (07400 123456, 0113 496 0000) and bare digit runs.
_PHONE = re.compile(r"(?<![\w])(?:\+|00)?\d[\d\s().-]{8,}\d(?![\w])")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# What a request's log lines carry besides the message (service/observe.py sets them).
REQUEST_FIELDS = ("request_id", "method", "route", "status", "duration_ms")


def mask_numbers(text: str) -> str:
    """Text with every phone-number-shaped run replaced by a placeholder."""
    return _PHONE.sub("[number]", text)


class RedactNumbers(logging.Filter):
    """Masks phone numbers in every record: code should never log one, this catches mistakes."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message with numbers masked."""
        message = record.getMessage()
        masked = mask_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class RequestContext(logging.Filter):
    """Adds the request id and route to every record logged while a request is answered."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Copy the current request's id and route onto the record, when there is one."""
        from flask import g, has_request_context, request

        if has_request_context() and not hasattr(record, "request_id"):
            record.request_id = g.get("request_id")
            record.route = request.url_rule.rule if request.url_rule else None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the request's fields."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line; the message is already masked, exceptions are too."""
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in REQUEST_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = mask_numbers(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def handler(fmt: str = "text", stream: TextIO | None = None) -> logging.Handler:
    """A stream handler in the given format ("text" or "json"), masking numbers last."""
    made = logging.StreamHandler(stream or sys.stderr)
    made.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    made.addFilter(RequestContext())
    made.addFilter(RedactNumbers())
    return made


def configure(level: str, fmt: str = "text") -> None:
    """Log to standard error in the chosen format, with the redacting filter on every handler."""
    root = logging.getLogger()
    if not root.handlers:
        # As logging.basicConfig would: a host that set up logging (pytest) keeps its own.
        root.addHandler(handler(fmt))
        root.setLevel(level)
    for existing in root.handlers:
        if not any(isinstance(f, RedactNumbers) for f in existing.filters):
            existing.addFilter(RedactNumbers())
    # The twilio library logs every REST request's URL at INFO, and a deletion's URL holds the
    # SID of a message, call or recording: looked up at Twilio, a SID leads to a number.
    # urllib3 logs the same URLs at DEBUG.
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
    logging.getLogger("urllib3.connectionpool").setLevel(logging.INFO)
