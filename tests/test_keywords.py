"""The keyword parser: pure text in, a Parsed out."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.keywords import fold, is_crisis, parse, reserved_words, tokens
from service.messaging.vocabulary import COMMANDS, LANGUAGE_NAMES
from tests.support.fuzz import examples

NETWORKS = {"CARERS", "CAREERS", "MINDS", "OPIEKUNOWIE", "ਕਰੀਅਰ"}


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Dołącz", "DOLACZ"),
        ("  join   carers ", "JOIN CARERS"),
        ("ROMÂNĂ", "ROMANA"),
        ("ȘTIRI", "STIRI"),
        ("ਪੰਜਾਬੀ", "ਪੰਜਾਬੀ"),  # Gurmukhi vowel signs are letters, not accents
        ("ગુજરાતી", "ગુજરાતી"),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_tokens_keep_indic_words_whole_and_drop_punctuation() -> None:
    assert tokens(fold("ਜੁੜੋ, carers!")) == ["ਜੁੜੋ", "CARERS"]
    assert tokens(fold("what's on?")) == ["WHATS", "ON"]


@pytest.mark.parametrize("language", sorted({lang for c in COMMANDS.values() for lang in c}))
@pytest.mark.parametrize("command", ["join", "leave", "events", "call_me"])
def test_network_commands_in_every_language(language: str, command: str) -> None:
    for word in COMMANDS[command][language]:
        parsed = parse(f"{word} carers", NETWORKS)
        assert (parsed.kind, parsed.network, parsed.guessed) == (command, "CARERS", False), word


@pytest.mark.parametrize("language", sorted({lang for c in COMMANDS.values() for lang in c}))
@pytest.mark.parametrize(
    "command", ["networks", "talk", "help", "forget_me", "no", "name", "discreet", "more"]
)
def test_plain_commands_in_every_language(language: str, command: str) -> None:
    for word in COMMANDS[command][language]:
        assert parse(word, NETWORKS).kind == command, (language, word)
        assert parse(word.lower(), NETWORKS).kind == command, (language, word)


@pytest.mark.parametrize(("code", "names"), sorted(LANGUAGE_NAMES.items()))
def test_a_language_name_alone_or_after_language_sets_it(code: str, names) -> None:
    for name in names:
        assert parse(name, NETWORKS).language == code, name
        assert parse(f"LANGUAGE {name}", NETWORKS).language == code, name


def test_numbers_picks_and_rsvps() -> None:
    assert parse(" 3 ", NETWORKS).kind == "pick"
    assert (parse("GOING 2", NETWORKS).kind, parse("GOING 2", NETWORKS).number) == ("going", 2)
    assert (parse("yes 2", NETWORKS).kind, parse("yes 2", NETWORKS).number) == ("going", 2)
    assert parse("NOT GOING 2", NETWORKS).kind == "not_going"
    assert parse("JOIN 4", NETWORKS).number == 4
    assert parse("LEAVE ALL", NETWORKS).kind == "leave_all"
    assert parse("EVENTS ALL", NETWORKS).everything


def test_typos_are_guessed_only_for_long_enough_words() -> None:
    guessed = parse("JION CARRERS", NETWORKS)
    assert (guessed.kind, guessed.network, guessed.guessed) == ("join", "CARERS", True)
    assert guessed.canonical == "JOIN CARERS"
    assert parse("NETWROKS", NETWORKS).kind == "networks"
    assert parse("NETWROKS", NETWORKS).guessed
    assert parse("MIND", NETWORKS).network == "MINDS"
    assert parse("XQZT", NETWORKS).kind == "unknown"
    assert parse("JOI", NETWORKS).kind == "unknown"  # too short to guess at


def test_opt_out_words_count_only_exactly_and_alone() -> None:
    for word in (
        "STOP",
        "stop",
        " Stop ",
        "STOPALL",
        "UNSUBSCRIBE",
        "CANCEL",
        "END",
        "QUIT",
        "REVOKE",
        "OPTOUT",
    ):
        assert parse(word, NETWORKS).kind == "opt_out", word
    for text in ("STOP PLEASE", "please stop", "END IT", "stopp"):
        assert parse(text, NETWORKS).kind != "opt_out", text
    assert parse("START", NETWORKS).kind == "opt_in"
    assert parse("unstop", NETWORKS).kind == "opt_in"


def test_crisis_needs_whole_words() -> None:
    assert not is_crisis(fold("the weekend it was fine"))
    assert not is_crisis(fold("JOIN CARERS"))
    assert parse("JOIN CARERS, I want to kill myself", NETWORKS).crisis
    # Every language's phrasings: tests/messaging/test_crisis.py and its corpus.


def test_no_command_word_can_be_a_network_keyword() -> None:
    reserved = reserved_words()
    assert {"JOIN", "STOP", "DOLACZ", "HELP", "POLSKI", "SOOMAALI"} <= reserved
    assert not reserved & {"CARERS", "CAREERS", "MINDS"}


@settings(max_examples=examples(300), deadline=None)
@given(st.text(max_size=300))
def test_any_text_parses_to_a_known_kind(text: str) -> None:
    parsed = parse(text, NETWORKS)
    known = set(COMMANDS) | {
        "opt_out",
        "opt_in",
        "pick",
        "about",
        "language",
        "leave_all",
        "unknown",
        "empty",
        "going",
        "crisis",
    }
    assert parsed.kind in known
    assert parsed.network is None or parsed.network in NETWORKS
