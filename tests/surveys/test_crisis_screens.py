"""Crisis words typed as a survey's answer on the kiosk or a public page (issue 22, item 2).

Through the app's JSON API, as the page's script posts them (tests/surveys/test_screens.py).
The screen shows 999 and the crisis line alone, the words are kept nowhere, and the question
stays, to be answered or skipped.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.surveys.models import SurveyResponse
from tests.support.surveys import create_survey, crisis_line

KIOSK = "/kiosk/eastfield-depot/"
# A refused request rolls back: the demo council must outlive it.
pytestmark = pytest.mark.usefixtures("demo_committed")


def _to_written_question(client, base: str, survey_id: int, lang: str) -> tuple[dict, dict]:
    """Start on the screen and answer the three questions before the written one."""
    started = client.post(base + "api/survey/start", json={"survey": survey_id, "lang": lang})
    assert started.status_code == 200, started.get_json()
    held = {"survey": survey_id, "lang": lang, "handle": started.get_json()["handle"]}
    question = started.get_json()["question"]
    for value in (1, 3, 1):
        body = {**held, "question": question["id"], "outcome": "answered", "value": value}
        question = client.post(base + "api/survey/answer", json=body).get_json()["question"]
    assert question["kind"] == "text"
    return held, question


@pytest.mark.parametrize(
    ("where", "lang", "typed", "said_in"),
    [
        (KIOSK, "en", "honestly I want to end my life", "en"),
        (KIOSK, "pa", "ਮੈਂ ਮਰਨਾ ਚਾਹੁੰਦੀ ਹਾਂ", "pa"),
        ("/o/{slug}/", "en", "nie chce mi się żyć", "pl"),  # the language it is written in
        ("/o/{slug}/", "ur", "میں مر جانا چاہتا ہوں", "ur"),
    ],
)
def test_crisis_words_as_a_written_answer_show_the_crisis_line_alone_and_are_not_kept(
    client, demo, session, app, where, lang, typed, said_in
) -> None:
    survey = create_survey(session, demo, audience="open")
    session.commit()
    base = where.format(slug=demo.slug)
    held, question = _to_written_question(client, base, survey.id, lang)

    sent = {**held, "question": question["id"], "outcome": "answered", "text": typed}
    reply = client.post(base + "api/survey/answer", json=sent)
    assert reply.status_code == 200
    # The crisis line and nothing else: no next question, no "thank you, that is all".
    assert reply.get_json() == {"crisis": True, "message": crisis_line(app, said_in)}
    assert reply.headers["Cache-Control"] == "no-store"

    # The question is still theirs: skipped now, the response holds no words at all.
    skip = {**held, "question": question["id"], "outcome": "skipped"}
    assert client.post(base + "api/survey/answer", json=skip).get_json()["done"] is True
    session.expire_all()
    response = session.scalars(select(SurveyResponse)).one()
    assert [a.outcome for a in sorted(response.answers, key=lambda a: a.question_id)] == [
        "answered",
        "answered",
        "answered",
        "skipped",
    ]
    assert all(a.text_encrypted is None for a in response.answers)


def test_ordinary_words_are_still_an_answer(client, demo, session) -> None:
    survey = create_survey(session, demo, audience="open")
    session.commit()
    held, question = _to_written_question(client, KIOSK, survey.id, "en")
    sent = {**held, "question": question["id"], "outcome": "answered", "text": "dead tired"}
    reply = client.post(KIOSK + "api/survey/answer", json=sent).get_json()
    assert reply["done"] is True and "crisis" not in reply
