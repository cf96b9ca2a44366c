"""Small checks shared by every operation that writes content."""

from __future__ import annotations

import re

from service.errors import ValidationError

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


def required_text(field: str, value: str | None, *, max_length: int) -> str:
    """The value stripped of outer whitespace; empty or too long is refused."""
    text = (value or "").strip()
    if not text:
        raise ValidationError(field, "must not be empty")
    if len(text) > max_length:
        raise ValidationError(field, f"must be at most {max_length} characters")
    return text


def optional_text(field: str, value: str | None, *, max_length: int) -> str:
    """The value stripped, or an empty string; too long is refused."""
    text = (value or "").strip()
    if len(text) > max_length:
        raise ValidationError(field, f"must be at most {max_length} characters")
    return text


def slug(field: str, value: str) -> str:
    """A lower-case URL slug of letters, digits and hyphens."""
    if not _SLUG.match(value or ""):
        raise ValidationError(field, "must be lower-case letters, digits and hyphens")
    return value
