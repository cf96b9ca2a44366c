"""A first call as a caller lives it: welcome, language menu, main menu, an event's details."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import text

from service.content.operations import create_event
from tests.support.voice import Caller

MAIN_MENU = "For groups, press 1."
LANGUAGE_MENU = "For English, press 1."


def _main_menu_words(caller: Caller) -> list[str]:
    says = [s.text or "" for s in caller.gather().iter("Say")]
    return next(s for s in says if s.startswith(MAIN_MENU)).split()


def test_a_silent_first_time_caller_hears_the_languages_again_and_every_key_works(
    client, demo
) -> None:
    for key, expected in (("1", MAIN_MENU), ("2", "pl-PL")):
        call = Caller(client)
        call.dial_in()
        call.silence()
        heard = call.spoken()
        # Before: "Sorry..." alone, a <Gather> that was not the language menu, then every key
        # answered "That is not an option."
        assert heard.startswith("Sorry, we did not hear anything.")
        assert LANGUAGE_MENU in heard and "Polski" in heard and "Soomaali" in heard
        assert "&choose=1" in call.gather().get("action")
        call.press(key)
        assert "That is not an option." not in call.spoken()
        if key == "1":
            assert MAIN_MENU in call.spoken()
        else:
            assert call.gather().get("language") == expected


def test_silence_at_the_language_menu_ends_after_three_tries_and_a_wrong_key_re_reads_it(
    client, demo
) -> None:
    call = Caller(client)
    call.dial_in()
    call.press("8")
    assert call.spoken().startswith("That is not an option.") and LANGUAGE_MENU in call.spoken()
    call.silence()
    call.silence()
    assert LANGUAGE_MENU in call.spoken()
    twiml = call.silence()
    assert "Goodbye" in call.spoken() and twiml.find("Hangup") is not None


def test_the_call_opens_with_a_welcome_naming_the_organisation(client, demo) -> None:
    call = Caller(client)
    call.dial_in()
    says = list(call.gather().iter("Say"))
    assert says[0].text == f"Welcome to {demo.name}."
    polish = next(s for s in says if s.get("language") == "pl-PL")
    assert polish.text == "Witamy."  # each language's own welcome, in its own voice
    assert [s.text for s in says].index(LANGUAGE_MENU) > says.index(polish)
    # Choosing a language again later in the call does not welcome the caller twice.
    call.press("1")
    call.press("9")
    assert "Welcome" not in call.spoken() and LANGUAGE_MENU in call.spoken()


def test_0_at_the_main_menu_reads_it_again_instead_of_the_languages(caller) -> None:
    caller.press("0")
    assert MAIN_MENU in caller.spoken() and LANGUAGE_MENU not in caller.spoken()
    caller.press("9")  # the languages are still one key away
    assert LANGUAGE_MENU in caller.spoken()


@pytest.mark.parametrize(
    ("said", "voice_language"),
    [
        ("Polski", "pl-PL"),
        ("Română", "ro-RO"),
        ("romana", "ro-RO"),
        ("Urdu", "ur-IN"),
        ("اردو", "ur-IN"),
        ("Punjabi", "pa-IN"),
        ("ਪੰਜਾਬੀ", "pa-IN"),
        ("Gujarati please", "gu-IN"),
        ("ગુજરાતી", "gu-IN"),
    ],
)
def test_a_language_can_be_chosen_by_saying_its_name(client, demo, said, voice_language) -> None:
    call = Caller(client)
    call.dial_in()
    gather = call.gather()
    assert gather.get("input") == "dtmf speech" and "Polski" in gather.get("hints")
    call.say_words(said)
    menu = list(call.gather().iter("Say"))[-1]  # the main menu, in the chosen language's voice
    assert menu.get("language") == voice_language, call.xml


def test_saying_somali_is_understood_and_answered_honestly(client, demo) -> None:
    call = Caller(client)
    call.dial_in()
    call.say_words("Soomaali")
    # Somali has no voice and the demo no recordings: told so, and offered the rest again.
    assert "Sorry, this line cannot speak Somali yet." in call.spoken()
    call.say_words("something else entirely")
    assert call.spoken().startswith("That is not an option.")
    assert LANGUAGE_MENU in call.spoken()


def test_the_main_menu_is_short_and_the_rest_is_behind_8(caller) -> None:
    words = _main_menu_words(caller)
    assert len(words) <= 40, words  # before: 81 words before a caller heard the last choice
    assert "8." in words and "press 6" not in " ".join(words)
    caller.press("8")
    more = caller.spoken()
    assert "speak up" in more and "press 5" in more and "press 9" in more
    caller.press("6")
    assert "speak-up guardian" in caller.spoken()
    caller.press("0")
    caller.press("0")  # from speak up back to the main menu, which 0 then repeats
    assert MAIN_MENU in caller.spoken()


def test_every_languages_main_menu_is_short(client, demo) -> None:
    for digit in "123456":  # Somali (7) has no voice: its prompts are recordings
        call = Caller(client)
        call.dial_in()
        call.press(digit)
        menu = max((s.text or "" for s in call.gather().iter("Say")), key=len)
        assert len(menu.split()) <= 40, (digit, menu)


def test_an_events_details_pause_before_the_description_and_read_the_pin(
    caller, session, demo
) -> None:
    soon = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=1)
    create_event(
        session,
        demo,
        title="Night shift chat",
        starts_at=soon,
        ends_at=soon + dt.timedelta(hours=1),
        place="Canteen, Gelderd Road depot",
        description="Tea and a talk about rotas.",
        dial_in_number="+441134960199",
        dial_in_pin="4321",
    )
    caller.press("2")
    found = re.search(r"(\d): [^.]*Night shift chat\.", caller.spoken())
    assert found, caller.spoken()
    twiml = caller.press(found.group(1))
    gather = twiml.find("Gather")
    parts = [(e.tag, "".join(e.itertext())) for e in gather if e.tag in {"Say", "Pause"}]
    place = next(i for i, (_, text) in enumerate(parts) if "Gelderd Road depot" in text)
    assert parts[place + 1][0] == "Pause" and gather[place + 1].get("length") == "1"
    assert parts[place + 2][1] == "Tea and a talk about rotas."
    assert "The PIN is 4 3 2 1." in caller.spoken()


NEWS = "Free flu jabs at every depot this winter."


def test_the_news_is_read_to_a_number_once_a_day(client, demo, session) -> None:
    call = Caller(client)
    call.dial_in()
    call.press("1")
    assert NEWS in call.spoken()  # the first call of the day hears it
    call.press("9")
    call.press("1")  # changing language (here back to English) does not read it again
    assert NEWS not in call.spoken() and MAIN_MENU in call.spoken()
    again = Caller(client, call.number)
    again.dial_in()
    again.press("2")
    assert again.gather().get("language") == "pl-PL" and "grypa" not in again.spoken().lower()
    assert len(list(again.gather().iter("Say"))) == 1  # only the menu: no news before it
    other = Caller(client, "+447400654321")
    other.dial_in()
    other.press("1")
    assert NEWS in other.spoken()  # another number has not heard it
    # Nothing stored names the number: only a keyed hash per organisation and day.
    stored = session.execute(text("SELECT * FROM voice_news_heard")).all()
    # The whole national number: four digits turn up by chance in a hex digest (they did, at
    # 2029-01-20T11:11 with the suite's keys).
    assert len(stored) == 2 and not any("7400654321" in str(v) for row in stored for v in row)
    # Tomorrow by London's calendar: 24 hours on is still today when the clocks go back.
    london = ZoneInfo("Europe/London")
    next_day = dt.datetime.now(london).date() + dt.timedelta(days=1)
    with time_machine.travel(dt.datetime.combine(next_day, dt.time(12), london), tick=False):
        tomorrow = Caller(client, call.number)
        tomorrow.dial_in()
        tomorrow.press("1")
        assert NEWS in tomorrow.spoken()  # a new day: heard again, yesterday's markers gone
        days = session.execute(text("SELECT DISTINCT heard_on FROM voice_news_heard")).all()
        assert len(days) == 1
