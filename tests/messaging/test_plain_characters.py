"""Latin-script texts stay in GSM-7 wherever they can: one typographic quote halves an SMS.

A single character outside GSM 03.38 sends the whole text as UCS-2, 70 characters a segment
instead of 160. Polish and Romanian letters (ą, ș) cannot be avoided; curly quotes, dashes, the
ellipsis character and non-breaking spaces can, so no SMS text in English, Polish, Romanian or
Somali carries them.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from service import catalog_priorities
from service.demo import content as demo_content
from service.demo.translations import TRANSLATIONS
from service.messaging.replies import CUT, truncate
from service.messaging.segments import GSM7, GSM7_BASIC, GSM7_EXTENSION, count

ROOT = Path(__file__).resolve().parents[2]
# Every module whose strings go out by text message (replies, commands, codes, reminders).
SMS_SOURCES = (
    "service/sms/*.py",
    "service/messaging/*.py",
    "service/speakup/sms.py",
    "service/verification/messages.py",
    "service/rsvps/reminders.py",
    "service/rsvps/called_off.py",
    # Surveys by text: invitations, reminders, each question and its answers, the equality
    # questions and their consent (worded by the service, marked with N_).
    "service/surveys/texts.py",
    "service/surveys/monitoring.py",
    "service/surveys/queries.py",
)
# Languages written in the Latin alphabet; Somali and English need no letter outside GSM-7.
LATIN = {"en": False, "pl": True, "ro": True, "so": False}


def avoidable(text: str, *, own_letters: bool) -> set[str]:
    """The characters that force UCS-2 and are not letters of the language's alphabet."""
    gsm = GSM7_BASIC | GSM7_EXTENSION
    return {
        c for c in text if c not in gsm and not (own_letters and unicodedata.category(c)[0] in "LM")
    }


def sms_msgids() -> set[str | tuple[str, ...]]:
    found = set()
    for pattern in SMS_SOURCES:
        for path in sorted(ROOT.glob(pattern)):
            for _line, msgid, _comments, _context in extract_from_file(
                "python", path, keywords=catalog_priorities.KEYWORDS
            ):
                found.add(msgid)
    return found


def texts(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


@pytest.mark.parametrize("code", sorted(LATIN))
def test_sms_catalog_strings_need_no_ucs2_but_for_letters(code):
    msgids = sms_msgids()
    # The SMS replies alone are some ninety strings: a glob that no longer matches fails here.
    assert len(msgids) >= 80, sorted(map(str, msgids))
    if code == "en":
        strings = {t for msgid in msgids for t in texts(msgid)}
    else:
        with (ROOT / "locales" / code / "LC_MESSAGES" / "messages.po").open("rb") as source:
            catalog = read_po(source, locale=code)
        strings = {t for m in catalog if m.id in msgids for t in texts(m.string)}
        assert len(strings) >= 80, f"{code}: only {len(strings)} SMS strings translated"
    bad = {
        text: sorted(f"U+{ord(c):04X}" for c in avoidable(text, own_letters=LATIN[code]))
        for text in strings
        if avoidable(text, own_letters=LATIN[code])
    }
    assert not bad, f"{code}: {bad}"


def _demo_texts(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _demo_texts(v)]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _demo_texts(v)]
    return []


@pytest.mark.parametrize("code", sorted(LATIN))
def test_demo_content_needs_no_ucs2_but_for_letters(code):
    # Names, descriptions and opening hours go out by text (TALK, a network's details).
    if code == "en":
        strings = _demo_texts(
            [
                demo_content.NETWORKS,
                demo_content.EVENTS,
                demo_content.SUPPORT_LINES,
                demo_content.ANNOUNCEMENTS,
            ]
        )
    else:
        strings = _demo_texts(TRANSLATIONS[code])
    assert len(strings) > 40
    bad = {t: sorted(avoidable(t, own_letters=LATIN[code])) for t in strings}
    assert not {t: c for t, c in bad.items() if c}, code


def test_a_text_cut_short_stays_gsm7_and_uses_its_room():
    text = " ".join(["Shift swap at Eastfield Depot on Friday, bring your badge."] * 10)
    cut = truncate(text)
    found = count(cut)
    assert cut.endswith(CUT) and found.segments == 2
    # In GSM-7 two segments carry 306 characters; an ellipsis character would have left 134.
    assert found.encoding == GSM7 and len(cut) > 250, (found, cut)
