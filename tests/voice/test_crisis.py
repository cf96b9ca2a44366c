"""A caller who says they may harm themselves hears 999 and the crisis line first (issue 22)."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _

from service import languages
from tests.support.voice import Caller


def test_crisis_words_at_any_menu_read_the_crisis_line_and_connect_to_it(caller) -> None:
    caller.press("1")  # into the groups: a menu far from support
    caller.say_words("honestly I just want to end my life")
    heard = caller.spoken()
    assert heard.startswith("If you are in danger now, hang up and call 999.")
    assert heard.index("Samaritans") < heard.index("Employee Assistance")
    dial = caller.press("1").find("Dial")
    assert dial.text == "116123"


def test_ordinary_speech_still_moves_through_the_menu(caller) -> None:
    caller.say_words("I'm dead tired, just tell me about the groups")
    assert "If you are in danger now" not in caller.spoken()


@pytest.mark.parametrize(
    ("code", "speech"),
    [
        ("pl", "nie chce mi się żyć"),
        ("ro", "mă gândesc să-mi iau viața"),
        ("pa", "ਮੈਂ ਮਰਨਾ ਚਾਹੁੰਦਾ ਹਾਂ"),
        ("gu", "મારે મરવું છે"),
    ],
)
def test_speech_in_the_callers_language_is_heard(client, demo, app, code, speech) -> None:
    call = Caller(client, f"+44740050{languages.CODES.index(code):04d}")
    call.dial_in()
    call.press(str(languages.CODES.index(code) + 1))
    call.say_words(speech)
    with app.test_request_context(), force_locale(code):
        danger = _("If you are in danger now, hang up and call 999.")
    assert danger in call.spoken()
    assert "Samaritans" in call.spoken()


@pytest.mark.parametrize(
    ("speech", "code"),
    [
        ("I want to kill myself", "en"),
        # Before a language is chosen, speech is heard in English: Urdu comes in Latin letters.
        ("main marna chahta hoon", "ur"),
        ("nie chce mi sie zyc", "pl"),
    ],
)
def test_crisis_words_at_the_language_menu_read_the_crisis_line_first(
    client, demo, app, speech, code
) -> None:
    # The first thing a new caller hears after saying it: no welcome, no menu before it.
    call = Caller(client, f"+44740051{languages.CODES.index(code):04d}")
    call.dial_in()
    call.say_words(speech)
    with app.test_request_context(), force_locale(code):
        danger = _("If you are in danger now, hang up and call 999.")
    assert call.spoken().startswith(danger), call.spoken()
