"""How channels write times and numbers for people: local time, the reader's language."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from babel.dates import format_datetime
from markupsafe import Markup, escape

from service.contacts.phone import display


def when(moment: dt.datetime, language: str, *, style: str = "EEEE d MMMM, HH:mm") -> str:
    """A local date and time in the reader's language, e.g. 'Friday 4 December, 12:00'."""
    # The zone and offset are part of the key: equal instants in other zones read otherwise.
    return _formatted(moment, moment.tzinfo, moment.utcoffset(), language, style)


# Lists and menus show every member the same few moments, and Babel's formatting costs more
# than the rest of a list line: each moment is formatted once per process.
@lru_cache(maxsize=4096)
def _formatted(
    moment: dt.datetime,
    zone: dt.tzinfo | None,
    _offset: dt.timedelta | None,
    language: str,
    style: str,
) -> str:
    return format_datetime(moment, style, tzinfo=zone, locale=language)


def phone(number: str) -> str:
    """A number as people read it: 0113 496 0000, or 116 123 for a short helpline."""
    if number.startswith("+"):
        return display(number)
    if len(number) == 6 and number.isdigit():
        return f"{number[:3]} {number[3:]}"
    return number


# A left-to-right run inside right-to-left text: Latin words (a keyword, a name) or digits
# (Western or Urdu's), with the spaces and marks that join them ("JOIN MINDS", "07400 123456",
# "11:30"). Sentence punctuation at its ends stays with the surrounding text.
_LTR_RUN = re.compile(
    r"[A-Za-z0-9\u00C0-\u024F\u06F0-\u06F9]+(?:[ .:/+\-'’,][A-Za-z0-9\u00C0-\u024F\u06F0-\u06F9]+)*"
)
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")


def isolate_ltr_runs(text: str) -> Markup:
    """Text for a right-to-left line, each left-to-right run in its own <bdi dir="ltr">.

    Without it the bidi algorithm reorders a run's parts around spaces that touch RTL text:
    "07400 123456" inside Urdu shows as "123456 07400". Latin runs are marked lang="en".
    """
    out: list[Markup] = []
    last = 0
    for found in _LTR_RUN.finditer(text):
        out.append(escape(text[last : found.start()]))
        run = found.group()
        if _LATIN.search(run):
            out.append(Markup('<bdi dir="ltr" lang="en">%s</bdi>') % run)
        else:
            out.append(Markup('<bdi dir="ltr">%s</bdi>') % run)
        last = found.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)
