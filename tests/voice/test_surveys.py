"""Have your say by phone: offered while a survey is open, answered by key or voice, as its owner.

Every step is a signed Twilio webhook into the app; the TwiML that comes back is what the
caller hears. The number's owner proves it with a texted code before hearing or changing any
answer, as for their own groups, because caller ID can be spoofed.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from service.contacts.models import Membership
from service.crypto import vault_of
from service.db import utcnow
from service.surveys import operations as surveys
from service.surveys import recordings, taking
from service.surveys.models import SurveyAnswer, SurveyRecording, SurveyResponse
from service.surveys.results import results_csv, survey_results
from service.voice.line import CallState, StateCodec
from tests.support import factories
from tests.support.fake_twilio import AUDIO, config_at_fake
from tests.support.sms import Handset
from tests.support.surveys import create_survey
from tests.support.voice import Caller
from tests.support.voice_surveys import (
    HAVE_YOUR_SAY,
    recording,
    texted_code,
    to_first_question,
)

config = config_at_fake()

MEMBER = "+447400321001"
POLISH = "+447400321002"
STRANGER = "+447400321003"
OFFER = "A short survey is open. To have your say, press 7."
MAIN_MENU = "For groups, press 1."


@pytest.fixture(autouse=True)
def _empty_queue(app) -> None:
    from service.extensions import huey

    huey.flush()


def _answers(session) -> list[tuple[str, int | None, bool, bool]]:
    """Each answer of the one response: outcome, value, whether written, whether recorded."""
    response = session.scalars(select(SurveyResponse)).one()
    by_question = {a.question_id: a for a in response.answers}
    questions = sorted(by_question)
    return [
        (
            by_question[q].outcome,
            by_question[q].value,
            by_question[q].text_encrypted is not None,
            by_question[q].recording_id is not None,
        )
        for q in questions
    ]


def test_the_menu_offers_a_survey_only_while_one_is_open(client, session, demo) -> None:
    survey = create_survey(session, demo, opened=False)
    session.commit()
    call = Caller(client, MEMBER)
    call.dial_in()
    call.press("1")
    assert MAIN_MENU in call.spoken() and OFFER not in call.spoken()
    call.press(HAVE_YOUR_SAY)  # 7 is still the caller's own groups
    assert call.spoken().startswith("Your own groups are private.")

    surveys.open_survey(session, survey, utcnow())
    session.commit()
    call.press("0")
    heard = call.spoken()
    assert OFFER in heard and heard.index(OFFER) < heard.index(MAIN_MENU)
    call.press(HAVE_YOUR_SAY)
    assert call.spoken().startswith("So that each person answers once")

    surveys.close_survey(session, survey, utcnow())
    session.commit()
    call.press("0")
    assert MAIN_MENU in call.spoken() and OFFER not in call.spoken()


def test_a_member_answers_by_keys_and_records_the_free_text(client, session, demo, fake) -> None:
    factories.create_contact(session, org=demo, phone=MEMBER)
    survey = create_survey(session, demo)
    session.commit()
    call = to_first_question(client, session, demo, MEMBER)
    heard = call.spoken()
    assert heard.startswith("Pulse survey: Four quick questions.")
    assert "Anonymous: nobody, not even the organisers, can see who answered." in heard
    assert "Question 1 of 4. How do you get to work?" in heard
    assert "For Bus, press 1. For Car, press 2. For Walk, press 3." in heard
    assert "If you prefer not to say, press 0." in heard
    assert "To skip this question, press hash." in heard

    call.press("9")  # not an option
    assert call.spoken().startswith("Sorry, that is not an answer to this question.")
    call.press("2")  # Car
    assert "Question 2 of 4. How well does your manager listen?" in call.spoken()
    call.press("*")  # again
    assert "Question 2 of 4." in call.spoken()
    call.press("0")  # prefer not to say
    assert "For yes, press 1. For no, press 2." in call.spoken()
    call.press("#")  # skip
    assert "Question 4 of 4. What one thing would help most?" in call.spoken()
    assert "press 1 and speak after the tone" in call.spoken()
    twiml = call.press("1")
    record = twiml.find("Record")
    assert record is not None and record.get("finishOnKey") == "#"
    assert record.get("recordingStatusCallback") is None
    form = recording()
    call.post(record.get("action"), **form)
    heard = call.spoken()
    assert heard.startswith("Thank you. Your answer has been recorded.")
    assert "Your answers have been counted." in heard and MAIN_MENU in heard

    session.expire_all()  # the queued task wrote through a session of its own
    assert _answers(session) == [
        ("answered", 2, False, False),
        ("prefer_not", None, False, False),
        ("skipped", None, False, False),
        ("answered", None, False, True),
    ]
    response = session.scalars(select(SurveyResponse)).one()
    assert (response.channel, response.language, response.complete) == ("voice", "en", True)
    # The audio is the service's own, encrypted; Twilio's copy and the call's record are gone.
    kept = session.scalars(select(SurveyRecording)).one()
    assert kept.audio_encrypted and AUDIO not in kept.audio_encrypted.encode()
    assert vault_of(session).decrypt_bytes(kept.audio_encrypted) == AUDIO
    assert fake.deleted == [form["RecordingSid"]] and fake.deleted_calls == [call.call_sid]
    # While open, answers are shown only in batches of ten responses, recordings too.
    assert survey_results(session, survey).questions[3].recorded == "0"

    # One response each: the same call, the same number by text, and a later call.
    call.press(HAVE_YOUR_SAY)
    assert call.spoken().startswith("You have already answered this survey.")
    assert Handset(client, MEMBER).send("PULSE").text == (
        "You have already answered this survey. Thank you."
    )
    assert session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
    # Closed, the results count it as a recorded answer (suppressed below five, as any count).
    surveys.close_survey(session, survey, utcnow())
    session.commit()
    results = survey_results(session, survey)
    assert results.questions[3].recorded == "<5"
    assert "Recorded answers,<5" in results_csv(results).replace('"', "")


def test_a_polish_caller_answers_by_voice(client, session, demo, fake) -> None:
    factories.create_contact(session, org=demo, phone=POLISH, language="pl")
    survey = create_survey(session, demo)
    surveys.translate(session, survey, "title", "pl", "Ankieta")
    surveys.translate(session, survey, "intro", "pl", "Cztery krótkie pytania.")
    q1, q2, q3, q4 = survey.questions
    surveys.translate(session, q1, "text", "pl", "Jak dojeżdżasz do pracy?")
    surveys.translate(session, q1, "options", "pl", "Autobus\nSamochód\nPieszo")
    surveys.translate(session, q2, "text", "pl", "Czy kierownik cię słucha?")
    surveys.translate(session, q3, "text", "pl", "Czy słyszałeś o sieci opiekunów?")
    surveys.translate(session, q4, "text", "pl", "Co by najbardziej pomogło?")
    session.commit()
    call = Caller(client, POLISH)
    call.dial_in()
    call.press("2")  # Polski
    menu = call.gather()
    assert menu.get("language") == "pl-PL" and "ankieta" in menu.get("hints")
    call.say_words("ankieta")  # "survey", said: have your say
    call.press("1")
    call.press(texted_code(session, demo, POLISH))
    heard = call.spoken()
    assert heard.startswith("Ankieta: Cztery krótkie pytania.")
    assert "Jak dojeżdżasz do pracy?" in heard and "Autobus" in heard
    gather = call.gather()
    assert gather.get("language") == "pl-PL" and "Samochód" in gather.get("hints")
    assert {s.get("language") for s in gather.iter("Say")} == {"pl-PL"}

    call.say_words("samochodem chyba samochód")  # the option's word, inside what was said
    assert "Czy kierownik cię słucha?" in call.spoken()
    call.say_words("wolę nie mówić")  # prefer not to say
    assert "Czy słyszałeś o sieci opiekunów?" in call.spoken()
    call.say_words("tak")  # yes
    assert "Co by najbardziej pomogło?" in call.spoken()
    call.say_words("pomiń")  # skip
    session.expire_all()
    assert _answers(session) == [
        ("answered", 2, False, False),
        ("prefer_not", None, False, False),
        ("answered", 1, False, False),
        ("skipped", None, False, False),
    ]
    response = session.scalars(select(SurveyResponse)).one()
    assert (response.channel, response.language) == ("voice", "pl")
    assert session.scalar(select(func.count()).select_from(SurveyRecording)) == 0


def test_an_answer_by_text_carries_on_by_phone_and_counts_once(client, session, demo) -> None:
    factories.create_contact(session, org=demo, phone=MEMBER)
    create_survey(session, demo)
    session.commit()
    phone = Handset(client, MEMBER)
    phone.send("PULSE")
    phone.send("Walk")
    call = to_first_question(client, session, demo, MEMBER)
    # Resumed where the text left off: no introduction, question 2.
    assert call.spoken().startswith("Question 2 of 4.")
    call.press("4")
    call.press("2")  # no
    call.press("0")  # prefer not to say
    assert "Your answers have been counted." in call.spoken()
    assert _answers(session) == [
        ("answered", 3, False, False),
        ("answered", 4, False, False),
        ("answered", 0, False, False),
        ("prefer_not", None, False, False),
    ]
    assert phone.send("PULSE").text == "You have already answered this survey. Thank you."
    assert session.scalar(select(func.count()).select_from(SurveyResponse)) == 1


def test_a_spoofed_number_cannot_hear_or_change_someone_elses_answers(
    client, session, demo
) -> None:
    network = factories.create_network(session, org=demo, name="Carers", sensitive=True)
    member = factories.create_contact(session, org=demo, phone=MEMBER)
    session.add(Membership(contact_id=member.id, network_id=network.id, channel="sms"))
    survey = create_survey(session, demo, audience="networks", network_ids=[network.id])
    session.commit()
    Handset(client, MEMBER).send("PULSE")
    Handset(client, MEMBER).send("Bus")  # the member is on question 2

    # Every caller who has not proved a number hears the same offer: the menu tells nobody
    # that a number is among a (sensitive) network's members.
    heard = []
    for number in (MEMBER, STRANGER):
        call = Caller(client, number)
        call.dial_in()
        call.press("1")
        heard.append(call.xml)
        call.press(HAVE_YOUR_SAY)
        heard.append(call.xml)
    assert heard[0] == heard[2] and heard[1] == heard[3] and OFFER in heard[0]

    # Calling "from" the member's number: without the code texted to their phone, nothing.
    spoofer = Caller(client, MEMBER)
    spoofer.dial_in()
    spoofer.press("1")
    spoofer.press(HAVE_YOUR_SAY)
    spoofer.press("1")
    code = texted_code(session, demo, MEMBER)  # on the member's phone, not the spoofer's
    spoofer.press(f"{(int(code) + 1) % 1_000_000:06d}")
    assert "Question" not in spoofer.spoken()
    # A question's step taken from another call (signed, but proving nothing on this one).
    codec = StateCodec("test-secret-key")
    step = codec.dump(CallState(node="survey_question", items=(survey.id, 2)))
    spoofer.post(f"/twilio/voice/step?s={step}&survey=1", Digits="5")
    assert spoofer.spoken().startswith("So that each person answers once")
    recorded = f"/twilio/voice/survey-recording?s={step}"
    spoofer.post(recorded, **recording())
    assert spoofer.spoken().startswith("So that each person answers once")
    assert session.scalar(select(func.count()).select_from(SurveyRecording)) == 0
    # The member's place is untouched: question 2, where they left it.
    session.expire_all()
    place = taking.current(session, survey, taking.identity_of_number(MEMBER))
    assert place is not None and place.number == 2
    assert session.scalar(select(func.count()).select_from(SurveyAnswer)) == 0

    # The stranger proves their number, and is told the survey is not for them.
    outsider = to_first_question(client, session, demo, STRANGER)
    assert outsider.spoken().startswith("Sorry, this survey is not open to you.")


def test_erasure_drops_a_recording_whose_answer_was_not_finished(client, session, demo, fake):
    from service.contacts.operations import find_contact
    from service.privacy.erasure import erase_contact

    factories.create_contact(session, org=demo, phone=MEMBER)
    create_survey(session, demo)
    session.commit()
    call = to_first_question(client, session, demo, MEMBER)
    call.press("#")
    call.press("#")
    call.press("#")
    record = call.press("1").find("Record")
    call.post(record.get("action"), **recording())
    # Finished: the recording belongs to an anonymous answer, which erasure cannot find.
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(SurveyRecording)) == 1

    other = "+447400321009"
    factories.create_contact(session, org=demo, phone=other)
    survey2 = create_survey(
        session, demo, keyword="EVENING", questions=[{"kind": "text", "text": "Why?"}] * 2
    )
    session.commit()
    assert survey2.id
    call = Caller(client, other)
    call.dial_in()
    call.press("1")
    call.press(HAVE_YOUR_SAY)
    call.press("1")
    call.press(texted_code(session, demo, other))
    assert "Question 1 of 4" in call.spoken()  # the first open survey first
    for _ in range(3):
        call.press("#")
    record = call.press("1").find("Record")
    call.post(record.get("action"), **recording())
    call.press(HAVE_YOUR_SAY)  # on to the second survey
    record = call.press("1").find("Record")
    call.post(record.get("action"), **recording())  # question 1 of 2: part way
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(SurveyRecording)) == 3
    erase_contact(session, find_contact(session, demo.id, other))
    session.commit()
    # The unfinished answer's recording goes with it; the finished ones stay, nobody's.
    assert session.scalar(select(func.count()).select_from(SurveyRecording)) == 2
    assert len(AUDIO) < recordings.MAX_AUDIO_BYTES


def test_numbers_heard_in_urdu_digits_answer_as_those_numbers(client, session, demo, fake) -> None:
    # Recognition in Urdu, Punjabi or Gujarati writes the number in that script's digits.
    factories.create_contact(session, org=demo, phone=MEMBER)
    create_survey(session, demo)
    session.commit()
    call = to_first_question(client, session, demo, MEMBER)
    call.say_words("۲")  # Car
    assert "Question 2 of 4." in call.spoken()
    call.say_words("شاید ۴")  # "maybe 4": the number inside what was said
    assert "Question 3 of 4." in call.spoken()
    call.say_words("١")  # yes, in the Arabic-Indic digit an Arabic keyboard or recogniser gives
    assert "Question 4 of 4." in call.spoken()
    call.press("#")  # skip: the survey is done and its answers counted
    session.expire_all()
    assert _answers(session)[:3] == [
        ("answered", 2, False, False),
        ("answered", 4, False, False),
        ("answered", 1, False, False),
    ]
