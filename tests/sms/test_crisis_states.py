"""The crisis line first and alone whatever the conversation was doing (issue 22, item 2).

Every text is a signed Twilio webhook into the app. A member part way through a survey, a
question that waits for YES and its number, or a call-back's time gets the crisis line as the
whole answer, and the crisis words are never kept as an answer.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from service import languages
from service.contacts.models import Membership
from service.contacts.operations import get_or_create_contact
from service.surveys import taking
from service.surveys.models import SurveyResponse
from tests.sms.test_crisis import FIRST_TEXTS
from tests.support.sms import Handset
from tests.support.surveys import QUESTIONS, create_survey, crisis_line


def _answers(session) -> list[tuple[str, int | None, bool]]:
    """The answers of the one response kept: outcome, value and whether words were kept."""
    response = session.scalars(select(SurveyResponse)).one()
    return [
        (a.outcome, a.value, a.text_encrypted is not None)
        for a in sorted(response.answers, key=lambda a: a.question_id)
    ]


def _on_question(session, survey, number: str) -> int:
    return taking.current(session, survey, taking.identity_of_number(number)).number


@pytest.mark.parametrize("code", languages.CODES)
def test_crisis_words_as_a_surveys_written_answer_get_the_crisis_line_alone_and_are_not_kept(
    client, demo, session, app, code: str
) -> None:
    survey = create_survey(session, demo)
    number = f"+44740060{languages.CODES.index(code):04d}"
    get_or_create_contact(session, demo.id, number, language=code)
    session.commit()
    phone = Handset(client, number)
    phone.send("PULSE")
    for answer in ("1", "3", "1"):  # Bus, 3, yes: numbers read the same in every language
        phone.send(answer)
    assert _on_question(session, survey, number) == 4  # the one that takes any words

    reply = phone.send(FIRST_TEXTS[code])
    # No "thank you, that is all", no next question, no "not an answer": the crisis line.
    assert reply.texts == [crisis_line(app, code)]
    assert _on_question(session, survey, number) == 4

    # The survey waits: what they text next is read as an ordinary text, not as the answer.
    phone.send("ok")
    assert _on_question(session, survey, number) == 4
    # Its keyword carries on at the question they were on; the words were never an answer.
    assert phone.last("PULSE").startswith("4 ")
    phone.send("0")  # prefer not to say, in every language
    assert _answers(session)[3] == ("prefer_not", None, False)


def test_crisis_words_at_a_surveys_question_get_the_crisis_line_alone(
    client, demo, session, app
) -> None:
    survey = create_survey(session, demo)
    get_or_create_contact(session, demo.id, "+447400610001", language="pl")
    session.commit()
    phone = Handset(client, "+447400610001")
    phone.send("PULSE")
    phone.send("1")
    phone.send("3")
    # At a yes/no question: this was once read as "no".
    assert phone.send("nie chce mi się żyć").texts == [crisis_line(app, "pl")]
    assert _on_question(session, survey, "+447400610001") == 3


def test_crisis_words_at_the_equality_consent_question_give_no_consent(
    client, demo, session, app
) -> None:
    survey = create_survey(session, demo, questions=QUESTIONS[:1], monitoring=("age",))
    phone = Handset(client, "+447400610002")
    phone.send("HELLO")
    phone.send("PULSE")
    phone.send("1")
    assert _on_question(session, survey, phone.number) == 2  # the consent question
    assert phone.send("I'm going to kill myself").texts == [crisis_line(app, "en")]
    # Neither yes nor no was taken on their behalf: the question is still theirs to answer.
    assert _on_question(session, survey, phone.number) == 2


def test_crisis_words_while_a_yes_and_its_number_is_awaited_get_the_crisis_line_alone(
    phone, session, app
) -> None:
    asked = phone.last("JOIN MINDS")
    number = re.search(r"YES (\d{4})", asked)
    assert number, asked
    reply = phone.send("chcę się zabić")
    assert reply.texts == [crisis_line(app, "pl")]
    assert session.scalars(select(Membership)).all() == []
    # The question still stands for its own number: nothing was joined or lost.
    phone.send(f"YES {number.group(1)}")
    assert len(session.scalars(select(Membership)).all()) == 1


def test_crisis_words_while_a_call_back_time_is_awaited_get_the_crisis_line_alone(
    phone, app
) -> None:
    assert phone.last("CALL ME CARERS").startswith("When is a good time to call?")
    reply = phone.send("i want to die")
    assert reply.texts == [crisis_line(app, "en")]


def test_crisis_words_after_stop_in_every_language_get_the_crisis_line_alone(client, demo, app):
    for position, code in enumerate(languages.CODES):
        handset = Handset(client, f"+44740062{position:04d}")
        handset.send("HELLO")
        handset.send("STOP")
        assert handset.send(FIRST_TEXTS[code]).texts == [crisis_line(app, code)]
