"""Words that respect people, in every language: the review's classes of problem stay fixed.

docs/translations.md lists each fix. These tests hold the classes, not the single strings: a
word that can offend for a group of people, a term for disability that reads as a slur, a
formal word where the plain one exists, a survey that turns formal in Romanian halfway through,
and answers about sexual orientation worded for a woman only.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from service import catalog_priorities
from service.demo.translations import TRANSLATIONS
from service.surveys import monitoring

ROOT = Path(__file__).resolve().parents[1]

# Words the review replaced, per language: never in a catalog string or the demo content.
AVOID = {
    # ਕਾਲੇ ("black-coloured") for Black people can read as a slur: UK Punjabi says ਬਲੈਕ.
    # ਅਪਾਹਜ ("crippled") for disability. ਵਿਕਲਪਿਕ: the formal word for "optional".
    "pa": ("ਕਾਲੇ", "ਅਪਾਹਜ", "ਵਿਕਲਪਿਕ"),
    # અશ્વેત ("non-white") for Black people; વૈકલ્પિક: the formal word for "optional".
    "gu": ("અશ્વેત", "વૈકલ્પિક"),
}
# Romanian formal address: the service says "tu" to members, as its texts always have.
FORMAL_RO = re.compile(
    r"\b(dumneavoastră|dumneavoastra|dvs\.?|vă|Vă|aveți|sunteți|vreți|puteți|spuneți)\b"
    r"|\b\w+(ați|eți|iți)\b(?!-)"
)
# Where a survey speaks to the person answering it: by text, on the phone, on the kiosk's and
# public page's screens, and on paper.
SURVEY_SOURCES = (
    "service/surveys/",
    "service/voice/surveys.py",
    "kiosk/templates/kiosk/_survey_screens.html",
    "print_templates/survey_sheet.py",
)


def catalog(code: str):
    with (ROOT / "locales" / code / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=code)


def demo_texts(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in demo_texts(v)]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in demo_texts(v)]
    return []


def strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


@pytest.mark.parametrize("code", sorted(AVOID))
def test_no_catalog_or_demo_text_uses_a_word_the_review_replaced(code: str) -> None:
    texts = [t for m in catalog(code) if m.id for t in strings(m)]
    texts += demo_texts(TRANSLATIONS[code])
    found = {word: [t for t in texts if word in t] for word in AVOID[code]}
    assert not {w: t for w, t in found.items() if t}, f"{code}: {found}"


def test_a_romanian_survey_says_tu_from_first_question_to_last() -> None:
    msgids = {
        msgid
        for file, _scope, msgid in catalog_priorities.located(ROOT)
        if file.startswith(SURVEY_SOURCES)
    }
    assert len(msgids) >= 60  # the survey's own strings, equality questions included
    romanian = catalog("ro")
    formal = {
        m.string: FORMAL_RO.search(m.string).group(0)
        for m in romanian
        if m.id in msgids and isinstance(m.string, str) and FORMAL_RO.search(m.string)
    }
    assert not formal, formal


def test_the_polish_answers_on_orientation_fit_anyone() -> None:
    # "Biseksualna" alone is a woman's word: a man answering would have to call himself one.
    polish = catalog("pl")
    options = monitoring.BY_KEY["orientation"].options
    for option in options:
        text = polish.get(option).string
        for word in re.findall(r"\w*seksualn\w*", text):
            assert re.search(r"\b(Osoba|orientacja)\b", text, re.IGNORECASE), (word, text)
