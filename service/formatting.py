"""How channels write times and numbers for people: local time, the reader's language."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_datetime

from service.contacts.phone import display


def when(moment: dt.datetime, language: str, *, style: str = "EEEE d MMMM, HH:mm") -> str:
    """A local date and time in the reader's language, e.g. 'Friday 4 December, 12:00'."""
    return format_datetime(moment, style, tzinfo=moment.tzinfo, locale=language)


def phone(number: str) -> str:
    """A number as people read it: 0113 496 0000, or 116 123 for a short helpline."""
    if number.startswith("+"):
        return display(number)
    if len(number) == 6 and number.isdigit():
        return f"{number[:3]} {number[3:]}"
    return number
