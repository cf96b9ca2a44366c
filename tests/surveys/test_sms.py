"""Answering a survey by text, through the signed webhook, in English and Polish."""

from __future__ import annotations

from sqlalchemy import func, select

from service.contacts.operations import get_or_create_contact
from service.sms.models import InboundMessage
from service.surveys import operations as surveys
from service.surveys.models import SurveyResponse
from tests.support import factories
from tests.support.sms import Handset
from tests.support.surveys import create_survey

POLISH = {
    "title": "Ankieta",
    "intro": "Cztery krótkie pytania.",
}
POLISH_QUESTIONS = [
    {"text": "Jak dojeżdżasz do pracy?", "options": "Autobus\nSamochód\nPieszo"},
    {"text": "Czy kierownik cię słucha?"},
    {"text": "Czy znasz grupę opiekunów?"},
    {"text": "Co pomogłoby najbardziej?"},
]


def polish(session, survey) -> None:
    for field, text in POLISH.items():
        surveys.translate(session, survey, field, "pl", text)
    for question, fields in zip(survey.questions, POLISH_QUESTIONS, strict=True):
        for field, text in fields.items():
            surveys.translate(session, question, field, "pl", text)


def answers(session) -> list[list[tuple[int, str, int | None]]]:
    out = []
    for response in session.scalars(select(SurveyResponse)):
        out.append(sorted((a.question_id, a.outcome, a.value) for a in response.answers))
    return out


def test_a_member_answers_by_text_with_skip_back_and_progress(client, demo, session):
    survey = create_survey(session, demo)
    phone = Handset(client)
    phone.send("HELLO")
    reply = phone.send("pulse")
    assert reply.texts[0].startswith("Pulse survey: Four quick questions.")
    assert "nobody, not even the organisers, can see who answered" in reply.texts[0]
    assert reply.texts[1].startswith("1 of 4: How do you get to work? 1 Bus, 2 Car, 3 Walk")
    assert "SKIP, BACK or LATER" in reply.texts[1]
    assert phone.last("walk").startswith("2 of 4: How well does your manager listen?")
    assert phone.last("back").startswith("1 of 4:")  # BACK asks question 1 again
    assert phone.last("2").startswith("2 of 4:")
    assert phone.last("9").startswith("Sorry, that is not an answer")  # 1 to 5 only
    assert phone.last("4").startswith("3 of 4: Have you heard of the carers' network?")
    assert phone.last("SKIP").startswith("4 of 4:")
    assert phone.last("More buses at night") == (
        "Thank you, that is all. Your answers have been counted."
    )
    q = [q.id for q in survey.questions]
    assert answers(session) == [
        [
            (q[0], "answered", 2),
            (q[1], "answered", 4),
            (q[2], "skipped", None),
            (q[3], "answered", None),
        ]
    ]
    # Once is enough; and after the survey the conversation is the usual one again.
    assert phone.last("PULSE") == "You have already answered this survey. Thank you."
    assert "Careers" in phone.last("NETWORKS")


def test_later_pauses_and_the_keyword_resumes_where_they_left_off_in_polish(client, demo, session):
    survey = create_survey(session, demo)
    polish(session, survey)
    get_or_create_contact(session, demo.id, "+447400123456", language="pl")
    phone = Handset(client)
    first = phone.send("PULSE")
    assert first.texts[0].startswith("Ankieta: Cztery krótkie pytania.")
    assert first.texts[1].startswith(
        "1 z 4: Jak dojeżdżasz do pracy? 1 Autobus, 2 Samochód, 3 Pieszo"
    )
    assert "POMIŃ, WSTECZ lub PÓŹNIEJ" in first.texts[1]
    assert phone.last("samochod").startswith("2 z 4: Czy kierownik cię słucha?")  # no accents
    paused = phone.last("później")
    assert "PULSE" in paused
    # Paused: an ordinary command is answered as usual.
    assert not phone.last("POMOC").startswith("3 z 4")
    assert phone.last("pulse").startswith("2 z 4:")  # resumes at question 2
    assert phone.last("٥").startswith("3 z 4:")  # digits of any script
    assert phone.last("TAK").startswith("4 z 4:")
    assert phone.last("0").startswith("Dziękujemy")  # prefer not to say
    q = [q.id for q in survey.questions]
    assert answers(session) == [
        [
            (q[0], "answered", 2),
            (q[1], "answered", 5),
            (q[2], "answered", 1),
            (q[3], "prefer_not", None),
        ]
    ]
    response = session.scalars(select(SurveyResponse)).one()
    assert (response.channel, response.language, response.contact_id) == ("sms", "pl", None)


def test_survey_texts_are_logged_without_their_words_even_when_bodies_are_kept(
    client, demo, session, app
):
    app.config["FRONTLINE"] = app.config["FRONTLINE"].__class__(
        **{**app.config["FRONTLINE"].__dict__, "SMS_KEEP_BODIES": True}
    )
    create_survey(session, demo)
    phone = Handset(client)
    phone.send("PULSE")
    phone.send("3")
    logged = session.scalars(select(InboundMessage).order_by(InboundMessage.id)).all()
    assert [m.command for m in logged] == ["survey", "survey"]
    assert all(m.body_encrypted is None for m in logged)


def test_a_closed_survey_says_so_and_an_outsider_is_not_asked(client, demo, session):
    from service.db import utcnow

    survey = create_survey(session, demo)
    nobodys = factories.create_network(session, org=demo)  # a network nobody has joined
    network_only = create_survey(
        session, demo, keyword="CARERSAY", audience="networks", network_ids=[nobodys.id]
    )
    phone = Handset(client)
    phone.send("HELLO")
    assert phone.last("CARERSAY") == "Sorry, this survey is not open to you."
    phone.send("PULSE")
    surveys.close_survey(session, survey, utcnow())
    assert phone.last("PULSE") == "This survey has closed. Thank you."
    assert session.scalar(select(func.count()).select_from(SurveyResponse)) == 0
    assert network_only.status == "open"
