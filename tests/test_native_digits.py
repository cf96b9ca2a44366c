"""Digits in Urdu, Punjabi and Gujarati script are digits: texts, the phone, the kiosk codes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.contacts.operations import find_contact
from service.content.models import Network
from service.languages import ascii_digits
from service.rsvps.models import Rsvp
from service.speakup import codes
from service.surveys.models import SurveyResponse
from service.verification import operations as ops
from tests.support.sms import Handset
from tests.support.surveys import create_survey
from tests.support.texts import code_in, texts_to
from tests.support.voice import Caller

# The same number in the scripts people type and speech recognition writes.
SCRIPTS = {
    "ascii": "0123456789",
    "urdu": "۰۱۲۳۴۵۶۷۸۹",  # Extended Arabic-Indic, Urdu's own
    "arabic": "٠١٢٣٤٥٦٧٨٩",  # Arabic-Indic, from an Arabic keyboard
    "gurmukhi": "੦੧੨੩੪੫੬੭੮੯",
    "gujarati": "૦૧૨૩૪૫૬૭૮૯",
}


def written(number: str, script: str) -> str:
    """The ASCII digits of number written in another script."""
    return "".join(SCRIPTS[script][int(c)] if c.isdigit() else c for c in number)


def test_every_script_s_digits_read_as_ascii_and_nothing_else_changes() -> None:
    for script in SCRIPTS:
        assert ascii_digits(written("07400 123456", script)) == "07400 123456", script
    # Superscripts and letters stay as typed: int() would refuse ² anyway.
    assert ascii_digits("CASE ²7KQ") == "CASE ²7KQ"


@pytest.mark.parametrize(
    ("body", "language"),
    [("آؤں گا ۲", "اردو"), ("ਆਵਾਂਗਾ ੨", "ਪੰਜਾਬੀ"), ("આવીશ ૨", "ગુજરાતી")],
)
def test_a_reply_to_go_in_native_digits_books_the_second_event(
    client, demo, session, body, language
) -> None:
    handset = Handset(client)
    handset.send(language)
    handset.send("EVENTS")
    handset.send(body)
    rsvp = session.scalars(select(Rsvp)).one()
    contact = find_contact(session, demo.id, handset.number)
    assert rsvp.contact_id == contact.id
    booked = (rsvp.event_id, rsvp.occurrence_start)
    # The same event that GOING 2 would have booked.
    session.delete(rsvp)
    session.flush()
    handset.send("EVENTS")
    handset.send("GOING 2")
    again = session.scalars(select(Rsvp)).one()
    assert (again.event_id, again.occurrence_start) == booked


@pytest.mark.parametrize("script", ["urdu", "arabic", "gurmukhi", "gujarati"])
def test_a_spoken_menu_number_in_native_digits_is_that_key(client, demo, script) -> None:
    call = Caller(client)
    call.dial_in()
    call.say_words(written("1", script))  # the language menu: English is 1
    assert "For groups, press 1." in call.spoken()
    call.say_words(written("2", script))  # the main menu: events are 2
    assert "Press the number of an event" in call.spoken(), call.xml


@pytest.mark.parametrize("script", ["urdu", "gurmukhi", "gujarati"])
def test_a_kiosk_code_and_number_typed_in_native_digits_work(session, demo, vault, script) -> None:
    careers = session.scalar(
        select(Network).where(Network.organisation_id == demo.id, Network.slug == "careers")
    )
    asker = ops.Asker("kiosk", "10.0.0.7", frozenset({"GB"}), per_hour=200)
    started = ops.start_action(
        session,
        demo,
        written("07400 123456", script),
        ops.Target("join", network_id=careers.id),
        asker=asker,
        language="ur",
    )
    code = code_in(texts_to(session, vault, "+447400123456")[-1])
    assert ops.check_code(session, demo, started.token, written(code, script)).status == "done"


@pytest.mark.parametrize("script", ["urdu", "gurmukhi", "gujarati"])
def test_a_case_code_typed_in_native_digits_is_the_same_code(script) -> None:
    code = "7KQ2M9XD4HTBWR3P"
    typed = written(codes.shown(code), script)
    assert typed != codes.shown(code)
    assert codes.normalise(typed) == code


@pytest.mark.parametrize("script", ["urdu", "gurmukhi", "gujarati"])
def test_survey_answers_texted_in_native_digits_are_those_numbers(
    client, demo, session, script
) -> None:
    # Urdu ends a sentence with ۔, Punjabi and Gujarati with the danda: "۲۔" is 2 as "2." is.
    stop = {"urdu": "۔", "gurmukhi": "।", "gujarati": "।"}[script]
    survey = create_survey(session, demo)
    phone = Handset(client)
    phone.send("PULSE")
    assert phone.last(written("2", script) + stop).startswith("2 of 4:")  # Car
    assert phone.last(written("4", script)).startswith("3 of 4:")  # 4 on the scale
    assert phone.last(written("1", script)).startswith("4 of 4:")  # yes
    phone.send("SKIP")
    response = session.scalars(select(SurveyResponse)).one()
    given = {a.question_id: (a.outcome, a.value) for a in response.answers}
    q = [question.id for question in survey.questions]
    assert [given[i] for i in q[:3]] == [("answered", 2), ("answered", 4), ("answered", 1)]
