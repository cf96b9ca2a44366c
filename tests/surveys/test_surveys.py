"""A survey's rules: what it may hold, when it takes answers, one response a person."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from service.db import utcnow
from service.errors import ValidationError
from service.surveys import operations as surveys
from service.surveys import taking
from service.surveys.models import SurveyResponse
from service.surveys.operations import SurveyClosed
from tests.support.surveys import create_survey

ME = taking.identity_of_number("+447400123456")


def test_a_survey_holds_at_most_ten_questions_and_choices_of_two_to_nine(session, demo):
    survey = create_survey(session, demo, questions=(), opened=False)
    with pytest.raises(ValidationError, match="2 to 9"):
        surveys.add_question(session, survey, kind="choice", text="Pick", options=["Only"])
    with pytest.raises(ValidationError, match="2 to 9"):
        surveys.add_question(
            session, survey, kind="choice", text="Pick", options=[str(n) for n in range(10)]
        )
    for n in range(10):
        surveys.add_question(session, survey, kind="scale", text=f"Question {n}")
    with pytest.raises(ValidationError, match="at most 10"):
        surveys.add_question(session, survey, kind="yes_no", text="One too many")


def test_a_survey_keyword_cannot_be_a_command_or_a_network(session, demo):
    with pytest.raises(ValidationError, match="command word"):
        create_survey(session, demo, keyword="join")
    with pytest.raises(ValidationError):
        create_survey(session, demo, keyword="carers")


def test_one_response_each_and_later_resumes_where_they_left_off(session, demo):
    survey = create_survey(session, demo)
    now = utcnow()
    place = taking.begin(session, survey, ME, channel="sms", language="en", now=now)
    assert (place.number, place.total) == (1, 4)
    taking.answer(session, survey, ME, outcome="answered", value=2, now=now)
    # Coming back later (LATER, or a new call) resumes at question 2.
    again = taking.begin(session, survey, ME, channel="sms", language="en", now=now)
    assert again.number == 2 and again.question.kind == "scale"
    assert taking.back(session, survey, ME, now).number == 1
    taking.answer(session, survey, ME, outcome="answered", value=3, now=now)
    taking.answer(session, survey, ME, outcome="prefer_not", now=now)
    taking.answer(session, survey, ME, outcome="answered", value=1, now=now)
    assert taking.answer(session, survey, ME, outcome="skipped", now=now) is None
    with pytest.raises(taking.AlreadyAnswered):
        taking.begin(session, survey, ME, channel="voice", language="en", now=now)
    response = session.scalars(select(SurveyResponse)).one()
    assert {(a.outcome, a.value) for a in response.answers} == {
        ("answered", 3),
        ("prefer_not", None),
        ("answered", 1),
        ("skipped", None),
    }


def test_no_answers_after_the_closing_date_even_before_it_is_closed(session, demo):
    survey = create_survey(session, demo, days=1)
    later = utcnow() + dt.timedelta(days=1, minutes=1)
    with pytest.raises(SurveyClosed):
        taking.begin(session, survey, ME, channel="sms", language="en", now=later)
    assert surveys.close_due(session, later) == 1
    assert survey.status == "closed" and survey.token_key_encrypted is None


def test_closing_keeps_unfinished_answers_as_an_incomplete_response(session, demo):
    survey = create_survey(session, demo)
    now = utcnow()
    taking.begin(session, survey, ME, channel="sms", language="pl", now=now)
    taking.answer(session, survey, ME, outcome="answered", value=1, now=now)
    surveys.close_survey(session, survey, now)
    response = session.scalars(select(SurveyResponse)).one()
    assert not response.complete and response.language == "pl"
    assert [(a.outcome, a.value) for a in response.answers] == [("answered", 1)]
    count = session.scalar(select(func.count()).select_from(SurveyResponse))
    assert count == 1


def test_the_worker_closes_a_survey_at_its_closing_date(session, demo, monkeypatch):
    from service.tasks import close_due_surveys

    survey = create_survey(session, demo, days=1)
    session.commit()
    later = utcnow() + dt.timedelta(days=1, minutes=1)
    monkeypatch.setattr("service.tasks.utcnow", lambda: later)
    close_due_surveys.call_local()
    session.expire_all()
    assert survey.status == "closed" and survey.token_key_encrypted is None
