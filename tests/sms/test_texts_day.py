"""Issue 19 item 11: what a member trips over in texts, each walked through signed webhooks."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from service import languages
from service.contacts.models import Membership
from service.contacts.operations import find_contact
from service.content.models import Network
from service.languages import TYPEABLE
from service.messaging.replies import CUT, word
from service.messaging.segments import count
from service.messaging.vocabulary import COMMANDS, LANGUAGE_NAMES, SPEAK_UP
from tests.support.sms import Handset, is_consent_question

_numbers = iter(range(100, 10_000))


def handset_in(client, code: str) -> Handset:
    """A new worker's handset that has chosen a language (so no welcome gets in the way)."""
    handset = Handset(client, f"+4474009{next(_numbers):05d}")
    handset.send(LANGUAGE_NAMES[code][0])
    return handset


def joined(session, demo, handset: Handset) -> set[str]:
    """The English keywords of the networks this handset's number belongs to."""
    contact = find_contact(session, demo.id, handset.number)
    session.expire_all()
    rows = session.scalars(
        select(Network).join(Membership).where(Membership.contact_id == contact.id)
    )
    return {k.word for network in rows for k in network.keywords if k.language == "en"}


def in_two_segments(text: str) -> bool:
    """Whether a text goes out whole in at most two segments."""
    return count(text).segments <= 2 and not text.endswith(CUT)


# -- HELP -----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", languages.CODES)
def test_help_names_other_languages_and_speak_up_in_two_segments(client, demo, code) -> None:
    handset = handset_in(client, code)
    help_text = handset.last(word("help", code))
    speak_up = SPEAK_UP["speakup"][code if code in TYPEABLE else "en"][0]
    assert speak_up in help_text, f"{code}: {help_text}"
    assert word("language", code) in help_text, f"{code}: {help_text}"
    assert in_two_segments(help_text), f"{code}: {count(help_text).segments}: {help_text}"
    # The word HELP shows works: it raises a concern and gives a case code.
    raised = handset.send(f"{speak_up} the ladder at the depot is broken").text
    assert re.search(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b", raised), raised


# -- FORGET ME ------------------------------------------------------------------------------


@pytest.mark.parametrize("code,greeting", [("en", "hello"), ("pl", "cześć"), ("ro", "bună ziua")])
def test_a_greeting_after_forget_me_gets_one_reply(client, demo, code, greeting) -> None:
    handset = handset_in(client, code)
    handset.last(COMMANDS["forget_me"][code][0])
    done = handset.send(COMMANDS["yes"][code][0])
    assert len(done.texts) == 1
    again = handset.send(greeting)
    assert len(again.texts) == 1, again.texts
    assert again.texts[0].startswith("Welcome to Northgate City Council staff texts.")


# -- JOIN with several groups ---------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    ["JOIN CARERS AND MINDS", "JOIN CARERS, MINDS", "JOIN CARERS & MINDS", "join carers+minds"],
)
def test_join_two_groups_joins_the_open_one_and_asks_consent_for_the_other(
    client, demo, session, body
) -> None:
    handset = handset_in(client, "en")
    reply = handset.send(body)
    assert reply.texts[0] == "You have joined Carers Network."
    assert len(reply.texts) == 2 and is_consent_question(reply.texts[1])
    assert joined(session, demo, handset) == {"CARERS"}  # the sensitive one waits for YES
    assert handset.last("YES").startswith("You have joined.")
    assert joined(session, demo, handset) == {"CARERS", "MINDS"}


def test_join_two_open_groups_and_two_sensitive_ones_asks_each_in_turn(
    client, demo, session
) -> None:
    handset = handset_in(client, "en")
    reply = handset.send("JOIN CAREERS, CARERS, MINDS AND RACE")
    assert reply.texts[0] == "You have joined Careers Network and Carers Network."
    assert is_consent_question(reply.texts[1]) and reply.texts[1].startswith("Minds Matter")
    after_yes = handset.send("YES")
    assert after_yes.texts[0].startswith("You have joined.")
    assert is_consent_question(after_yes.texts[1])
    handset.last("NO")
    assert joined(session, demo, handset) == {"CAREERS", "CARERS", "MINDS"}
    assert handset.last("JOIN CAREERS AND CARERS") == (
        "You are already in Careers Network and Carers Network."
    )


def test_join_two_groups_in_polish(client, demo, session) -> None:
    handset = handset_in(client, "pl")
    reply = handset.send("DOŁĄCZ CARERS I MINDS")
    assert reply.texts[0] == "Jesteś teraz w grupie: Grupa Opiekunów."
    assert len(reply.texts) == 2 and is_consent_question(reply.texts[1])
    assert all(count(text).segments <= 3 for text in reply.texts)
    assert joined(session, demo, handset) == {"CARERS"}


# -- counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code,groups,expected",
    [
        ("en", ["CAREERS"], "You have left your group."),
        ("en", ["CAREERS", "CARERS"], "You have left all 2 of your groups."),
        ("pl", ["CAREERS"], "Wypisaliśmy cię z twojej grupy."),
        ("pl", ["CAREERS", "CARERS"], "Wypisaliśmy cię ze wszystkich 2 grup."),
        ("ro", ["CAREERS"], "Ai ieșit din grupul tău."),
        ("ro", ["CAREERS", "CARERS", "WOMEN"], "Ai ieșit din toate cele 3 grupuri ale tale."),
        ("so", ["CAREERS"], "Waad ka baxday kooxdaadii."),
    ],
)
def test_leave_all_says_the_count_as_the_language_does(client, demo, code, groups, expected):
    handset = handset_in(client, code)
    for keyword in groups:
        handset.last(f"JOIN {keyword}")
    assert handset.last(f"{COMMANDS['leave'][code][0]} {COMMANDS['all'][code][0]}") == expected


# -- support after STOP ---------------------------------------------------------------------


@pytest.mark.parametrize("code", ["en", "pl", "ur"])
def test_talk_and_support_are_answered_after_stop(client, demo, code) -> None:
    handset = handset_in(client, code)
    handset.last("STOP")
    for talk in COMMANDS["talk"][code][:2]:
        support = handset.last(talk)
        assert "116 123" in support, f"{code} {talk}: {support}"  # the Samaritans, any time
    # Everything else still waits for START: the same notice, and no list.
    held = handset.last(COMMANDS["networks"][code][0])
    assert held == handset.last(COMMANDS["events"][code][0])
    assert "116 123" not in held and "\n1 " not in held


# -- where --------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["en", "pl", "ur"])
def test_events_and_going_say_place_and_site_in_two_segments(client, demo, code) -> None:
    handset = handset_in(client, code)
    handset.last("JOIN CARERS")
    listing = handset.last(COMMANDS["events"][code][0])
    going = handset.last(f"{COMMANDS['going'][code][0]} 1")
    for text in (listing, going):
        # The place is translated ("Sala ogrodowa"); the site's name is the same everywhere.
        assert "Willow Court Care Home" in text, text
        assert in_two_segments(text), text
        if code == "en":
            assert "Garden room, Willow Court Care Home" in text
