"""Texts read once per process: the same answer as reading afresh, and no one's own words kept."""

from __future__ import annotations

import pytest

from service.keywords import parse
from service.sms import reading

KEYWORDS = frozenset({"CARERS", "MINDS", "OPIEKUNOWIE"})


@pytest.mark.parametrize(
    "body",
    [
        "EVENTS",
        "events",
        "Join carers",
        "JOIN CARERS AND MINDS",
        "YES",
        "TALK",
        "2",
        "EVNETS",
        "wydarzenia",
        "YES 4821",
        "I want to die",
        "hello there",
        "EVENTS NOWHERE",
        "",
    ],
)
def test_a_text_reads_as_the_parser_reads_it_the_first_time_and_again(body: str) -> None:
    expected = parse(body, KEYWORDS)
    assert reading.read(body, KEYWORDS) == expected
    assert reading.read(body, KEYWORDS) == expected


def test_a_speak_up_text_is_not_a_command() -> None:
    assert reading.read("SPEAKUP the rota is unsafe", KEYWORDS) is None
    assert reading.read("SPEAKUP the rota is unsafe", KEYWORDS) is None


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        ("EVENTS", True),
        ("JOIN CARERS AND MINDS", True),
        ("I want to die", False),  # a crisis
        ("hello there", False),  # nobody understood it
        ("EVENTS NOWHERE", False),  # words after the command that matched nothing
        ("YES 4821", False),  # a one-off reply number
        ("SPEAKUP the rota is unsafe", False),
        ("EVENTS " + "X" * 40, False),  # long
    ],
)
def test_only_short_command_texts_are_kept(body: str, kept: bool) -> None:
    reading.read(body, KEYWORDS)
    assert ((body, KEYWORDS) in reading._kept) is kept


def test_new_keywords_are_read_afresh() -> None:
    assert reading.read("CARING", KEYWORDS).kind != "about"
    assert reading.read("CARING", KEYWORDS | {"CARING"}).kind == "about"
