"""Logging set-up with a last-line filter that masks anything shaped like a phone number."""

from __future__ import annotations

import logging
import re

# E.164 (+447400123456), UK national (07400 123456, 0113 496 0000) and bare digit runs.
_PHONE = re.compile(r"(?<![\w])(?:\+|00)?\d[\d\s().-]{8,}\d(?![\w])")


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


def configure(level: str) -> None:
    """Install the redacting filter on the root logger's handlers."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactNumbers) for f in handler.filters):
            handler.addFilter(RedactNumbers())
