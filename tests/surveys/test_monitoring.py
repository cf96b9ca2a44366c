"""Equality monitoring: asked only after a yes to its consent, on text and phone, and nobody's."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from service import languages
from service.contacts.operations import get_or_create_contact
from service.crypto import vault_of
from service.db import utcnow
from service.errors import ValidationError
from service.messaging.replies import CONSENT_SEGMENTS
from service.messaging.segments import fits
from service.surveys import monitoring, taking
from service.surveys import operations as surveys
from service.surveys.models import SurveyAnswer, SurveyQuestion, SurveyResponse
from service.surveys.queries import localised
from tests.support.sms import Handset
from tests.support.survey_scan import links
from tests.support.surveys import create_survey

ALL = tuple(c.key for c in monitoring.CHARACTERISTICS)


def equality_answers(session) -> list[tuple[str, str, int | None]]:
    """Every stored answer to an equality question (not the consent), as (key, outcome, value)."""
    rows = session.execute(
        select(SurveyQuestion.monitoring, SurveyAnswer.outcome, SurveyAnswer.value)
        .join(SurveyQuestion, SurveyAnswer.question_id == SurveyQuestion.id)
        .where(SurveyQuestion.monitoring.is_not(None), SurveyQuestion.monitoring != "consent")
    ).all()
    return sorted(tuple(r) for r in rows)


def consent_answers(session) -> list[tuple[str, int | None]]:
    return sorted(
        tuple(r)
        for r in session.execute(
            select(SurveyAnswer.outcome, SurveyAnswer.value)
            .join(SurveyQuestion, SurveyAnswer.question_id == SurveyQuestion.id)
            .where(SurveyQuestion.monitoring == "consent")
        )
    )


def test_the_equality_questions_come_last_after_consent_whatever_is_added_later(session, demo):
    survey = create_survey(session, demo, opened=False, monitoring=("sex", "age"))
    assert [q.monitoring for q in survey.questions] == [None] * 4 + ["consent", "age", "sex"]
    surveys.add_question(session, survey, kind="yes_no", text="Is the canteen open early enough?")
    assert [q.monitoring for q in survey.questions] == [None] * 5 + ["consent", "age", "sex"]
    assert [q.position for q in survey.questions] == list(range(1, 9))
    consent = survey.questions[5]
    assert (consent.kind, consent.prefer_not) == ("yes_no", False)
    assert all(q.prefer_not for q in survey.questions[6:])  # each offers "prefer not to say"
    # Ten of the author's own questions still fit: the equality ones do not count against them.
    for n in range(5):
        surveys.add_question(session, survey, kind="scale", text=f"Question {n}")
    assert len(surveys.own_questions(survey)) == 10
    surveys.set_monitoring(session, survey, ())
    session.flush()
    assert [q.monitoring for q in survey.questions] == [None] * 10


def test_only_an_anonymous_draft_asks_them_and_the_service_words_them(session, demo):
    attributable = create_survey(
        session, demo, opened=False, keyword="EVENING", mode="attributable"
    )
    with pytest.raises(ValidationError, match="only in an anonymous survey"):
        surveys.set_monitoring(session, attributable, ("age",))
    with pytest.raises(ValidationError, match="unknown characteristic"):
        surveys.set_monitoring(session, create_survey(session, demo, opened=False), ("height",))
    survey = create_survey(session, demo, keyword="PULSE2", monitoring=("age",))
    with pytest.raises(ValidationError, match="draft"):
        surveys.set_monitoring(session, survey, ())
    with pytest.raises(ValidationError, match="worded by the service"):
        surveys.translate(session, survey.questions[-1], "text", "pl", "Wiek?")


@pytest.mark.parametrize("code", languages.CODES)
def test_the_consent_is_translated_and_said_in_full_in_one_text_in_every_language(
    app, session, demo, code
):
    survey = create_survey(session, demo, monitoring=ALL)
    view = localised(session, survey, code)
    consent = next(q for q in view.questions if q.monitoring == "consent")
    with force_locale(code):
        from service.surveys import texts

        said = texts.preface(consent)
    assert said == consent.preface  # never cut: it is what is agreed to
    assert fits(said, CONSENT_SEGMENTS)
    english = localised(session, survey, "en")
    if code != "en":
        # Every word of the equality questions is the language's own, not the English.
        for mine, theirs in zip(view.questions[4:], english.questions[4:], strict=True):
            assert mine.text != theirs.text
            assert mine.preface != theirs.preface or not mine.preface
        assert view.questions[4].preface != english.questions[4].preface
    for option_lists in (q.asked.options for q in view.questions[5:]):
        assert all(option.strip() for option in option_lists)
    # Any answer typed in English is read in every language (the English options stand by).
    assert view.questions[5].asked.english_options[0] == "Under 25"


def test_by_text_a_yes_asks_the_equality_questions_and_stores_the_answers(client, demo, session):
    create_survey(session, demo, monitoring=("age", "disability", "ethnicity"))
    phone = Handset(client)
    phone.send("HELLO")
    phone.send("PULSE")
    for text in ("Bus", "4", "YES"):
        phone.send(text)
    reply = phone.send("More buses at night")
    # The consent's explanation as a text of its own, then the question it explains.
    preface, question = reply.texts
    assert preface.startswith("Equality questions (optional): we ask them to check")
    assert "anonymous" in preface and "groups of 10 or more people" in preface
    assert question.startswith("5 of 8: Will you answer them? If you say no, they are all skipped.")
    assert "Reply YES or NO." in question
    assert phone.last("YES").startswith("6 of 8: How old are you? 1 Under 25, 2 25 to 34")
    assert phone.last("3").startswith("7 of 8: Do you consider yourself to have a disability")
    assert phone.last("0").startswith("8 of 8: What is your ethnic group?")
    assert phone.last("White") == "Thank you, that is all. Your answers have been counted."
    assert equality_answers(session) == [
        ("age", "answered", 3),
        ("disability", "prefer_not", None),
        ("ethnicity", "answered", 4),
    ]
    assert consent_answers(session) == [("answered", 1)]


def test_by_text_in_polish_a_no_skips_them_all_and_stores_none(client, demo, session):
    create_survey(session, demo, monitoring=ALL)
    get_or_create_contact(session, demo.id, "+447400123456", language="pl")
    phone = Handset(client)
    phone.send("PULSE")
    for text in ("1", "4", "TAK"):
        phone.send(text)
    preface, question = phone.send("Więcej autobusów").texts
    assert preface.startswith("Pytania o równość (dobrowolne)")
    assert "anonimowe" in preface and "co najmniej 10 osób" in preface
    assert question.startswith("5 of 12: Czy chcesz na nie odpowiedzieć?") or question.startswith(
        "5 z 12: Czy chcesz na nie odpowiedzieć?"
    )
    # Yes, then back to the consent after answering one, then no: what was given goes too.
    assert "Ile masz lat?" in phone.last("TAK")
    assert "Czy uważasz" in phone.last("2")
    phone.send("WSTECZ")
    phone.send("WSTECZ")
    assert phone.last("NIE").startswith("Dzięk")  # thanked, and finished
    assert equality_answers(session) == []
    assert consent_answers(session) == [("answered", 0)]
    response = session.scalars(select(SurveyResponse)).one()
    assert (response.language, response.complete) == ("pl", True)


def test_a_skip_of_the_consent_is_a_no(session, demo):
    survey = create_survey(session, demo, monitoring=("sex",))
    who = taking.identity_of_number("+447400123456")
    now = utcnow()
    taking.begin(session, survey, who, channel="sms", language="en", now=now)
    for _ in range(4):
        taking.answer(session, survey, who, outcome="skipped", now=now)
    assert taking.answer(session, survey, who, outcome="skipped", now=now) is None  # finished
    assert equality_answers(session) == []


def test_answers_given_to_equality_questions_without_a_yes_are_never_written(session, demo):
    """The store's own rule, whatever a channel sends (a paper sheet, a half-way close)."""
    survey = create_survey(session, demo, monitoring=("sex", "age"))
    q = {question.monitoring: question.id for question in survey.questions}
    given = {str(q[None]): ["answered", 1, None], str(q["sex"]): ["answered", 2, None]}
    for consent in (None, ["answered", 0, None], ["skipped", None, None]):
        answers = dict(given)
        if consent is not None:
            answers[str(q["consent"])] = consent
        progress = {"answers": answers, "channel": "paper", "language": "en"}
        surveys.write_response(session, survey, progress, complete=True)
    session.flush()
    assert equality_answers(session) == []
    answers = {**given, str(q["consent"]): ["answered", 1, None]}
    progress = {"answers": answers, "channel": "paper", "language": "en"}
    surveys.write_response(session, survey, progress, complete=True)
    session.flush()
    assert equality_answers(session) == [("sex", "answered", 2)]


def test_an_unfinished_respondent_who_said_yes_keeps_their_answers_at_close(session, demo):
    survey = create_survey(session, demo, monitoring=("age", "sex"))
    who = taking.identity_of_number("+447400123456")
    now = utcnow()
    taking.begin(session, survey, who, channel="sms", language="en", now=now)
    for _ in range(4):
        taking.answer(session, survey, who, outcome="skipped", now=now)
    taking.answer(session, survey, who, outcome="answered", value=1, now=now)  # yes
    taking.answer(session, survey, who, outcome="answered", value=2, now=now)  # 25 to 34
    surveys.close_survey(session, survey, now)
    session.flush()
    assert equality_answers(session) == [("age", "answered", 2)]
    assert not session.scalars(select(SurveyResponse)).one().complete


def test_on_the_phone_the_consent_is_read_before_its_question(client, demo, session):
    from tests.support.voice_surveys import to_first_question

    get_or_create_contact(session, demo.id, "+447400123456")
    create_survey(session, demo, monitoring=("sex",))
    session.commit()
    call = to_first_question(client, session, demo, "+447400123456")
    for key in ("2", "4", "1"):
        call.press(key)
    call.press("#")  # the free-text question skipped
    spoken = call.spoken()
    assert "Equality questions (optional)" in spoken
    assert spoken.index("Equality questions (optional)") < spoken.index("Will you answer them?")
    call.press("1")  # yes
    assert "What is your sex?" in call.spoken()
    call.press("0")  # prefer not to say
    assert "Your answers have been counted." in call.spoken()
    assert equality_answers(session) == [("sex", "prefer_not", None)]


def test_equality_answers_by_text_link_to_no_one_after_close(client, demo, session):
    numbers = ["+447400123456", "+447400222333", "+447400333444"]
    survey = create_survey(session, demo, monitoring=ALL)
    for number in numbers[:2]:
        phone = Handset(client, number)
        for text in (
            "PULSE",
            "Bus",
            "4",
            "YES",
            "Nothing",
            "YES",
            "2",
            "NO",
            "1",
            "6",
            "1",
            "2",
            "YES",
        ):
            phone.send(text)
    half_way = Handset(client, numbers[2])
    for text in ("PULSE", "Bus", "4", "YES", "Nothing", "YES", "5"):
        half_way.send(text)
    vault = vault_of(session)
    assert len(equality_answers(session)) == 2 * 7
    # Open: only the half-way respondent's answers so far, under the survey's key.
    assert links(session, vault) == {(numbers[2], "survey_token answers in progress")}
    surveys.close_survey(session, survey, utcnow())
    session.flush()
    assert links(session, vault) == set()
    assert session.scalar(select(func.count()).select_from(SurveyResponse)) == 3
    assert ("age", "answered", 5) in equality_answers(session)  # kept, and nobody's
