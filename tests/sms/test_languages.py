"""Every reply, in every language, fits in two segments and is actually in that language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from service import languages
from service.messaging.replies import CONSENT_SEGMENTS, CUT
from service.messaging.segments import count
from service.messaging.vocabulary import COMMANDS, LANGUAGE_NAMES
from tests.support.sms import Handset, is_consent_question

LOCALES = Path(__file__).resolve().parents[2] / "locales"
OTHER_LANGUAGES = [code for code in languages.CODES if code != "en"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")

# A walk through every kind of reply; each step is (text, what must not be in the reply).
JOURNEY = (
    "HELP",
    "NETWORKS",
    "MORE",
    "1",
    "9",
    "CAREERS",
    "JOIN CAREERS",
    "JOIN CAREERS",
    "JOIN CARERS",
    "JOIN MINDS",
    "YES",
    "DISCREET",
    "NETWORKS",
    "JOIN LGBT",
    "NO",
    "JOIN RACE",
    "YES 1000",
    "YES",
    "NAME",
    "JION WOMEN",
    "YES",
    "EVENTS",
    "MORE",
    "2",
    "GOING 1",
    "GOING 1",
    "NOT GOING 1",
    "GOING 42",
    "EVENTS CAREERS",
    "EVENTS ALL",
    "TALK",
    "CALL ME",
    "CALL ME",
    "CALL ME CARERS",
    "LEAVE CARERS",
    "LEAVE CARERS",
    "LEAVE ALL",
    "LEAVE ALL",
    "JOIN SPACESHIPS",
    "JOIN",
    "GOING",
    "YES",
    "what is this",
    "I want to end it all",
    "LANGUAGE KLINGON",
    "STOP",
    "EVENTS",
    "START",
    "FORGET ME",
    "NO",
)


@pytest.fixture
def config(config):
    """A long walk through every reply: lift the per-number limit for it."""
    return config.replace(SMS_RATE_LIMIT=1000)


def _po(code: str):
    with (LOCALES / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("code", OTHER_LANGUAGES)
def test_every_string_is_translated_with_its_placeholders(code: str) -> None:
    with (LOCALES / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    catalog = _po(code)
    for message in template:
        if not message.id:
            continue
        translated = catalog.get(message.id)
        assert translated is not None and translated.string, f"{code}: {message.id!r}"
        assert not translated.fuzzy, f"{code}: fuzzy {message.id!r}"
        if message.pluralizable:
            # One form per the catalog's Plural-Forms (Polish and Romanian have three), each
            # using only the plural's placeholders (a singular may leave out the count).
            forms = translated.string
            assert len(forms) == catalog.num_plurals and all(forms), f"{code}: {message.id!r}"
            allowed = set(PLACEHOLDER.findall(message.id[1]))
            for form in forms:
                assert set(PLACEHOLDER.findall(form)) <= allowed, f"{code}: {form!r}"
            continue
        assert sorted(PLACEHOLDER.findall(translated.string)) == sorted(
            PLACEHOLDER.findall(message.id)
        ), f"{code}: placeholders differ in {message.id!r}"


@pytest.mark.parametrize("code", languages.CODES)
def test_every_reply_fits_in_two_segments_in_every_language(client, demo, code: str) -> None:
    handset = Handset(client, f"+44740020{languages.CODES.index(code):04d}")
    handset.send(LANGUAGE_NAMES[code][0])
    english = Handset(client, "+447400209999")
    for body in JOURNEY:
        reply = handset.send(body)
        assert reply.status == 200
        assert reply.texts, f"{code}: no reply to {body!r}"
        for text in reply.texts:
            segments = count(text).segments
            # The consent question alone may take three, to say its warning in full.
            allowed = CONSENT_SEGMENTS if is_consent_question(text) else 2
            assert segments <= allowed, f"{code}: {body!r} -> {segments} segments: {text}"
            assert not text.endswith(CUT), f"{code}: {body!r} was cut short: {text}"
        if code != "en" and body in {"HELP", "TALK", "LEAVE ALL", "what is this"}:
            assert reply.texts[-1] != english.last(body), f"{code}: {body!r} is in English"


@pytest.mark.parametrize("code", OTHER_LANGUAGES)
def test_commands_work_in_each_language(client, demo, session, code: str) -> None:
    handset = Handset(client, f"+44740030{languages.CODES.index(code):04d}")
    handset.send(LANGUAGE_NAMES[code][0])
    join = COMMANDS["join"][code][0]
    joined = handset.last(f"{join} CAREERS")
    from service.contacts.models import Membership

    assert session.query(Membership).count() >= 1, f"{code}: {join} CAREERS did not join"
    assert joined == handset.last(f"{COMMANDS['join']['en'][0]} CAREERS") or joined
    listing = handset.last(COMMANDS["networks"][code][0])
    assert re.search(r"^1 ", listing, re.M), f"{code}: {listing}"
