"""Equality questions on the kiosk, the public page and paper, in two languages each."""

from __future__ import annotations

import html
import json

import pytest
from sqlalchemy import select

from service.db import utcnow
from service.organisations.models import Site
from service.printing.operations import build_pack, find_site
from service.surveys import operations as surveys
from service.surveys.models import SurveyPaperEntry, SurveyQuestion
from tests.support.console import page_text
from tests.support.printing import page_texts
from tests.support.settings import PUBLIC_URL
from tests.support.survey_scan import links
from tests.support.surveys import create_survey
from tests.surveys.test_monitoring import consent_answers, equality_answers

KIOSK = "/kiosk/eastfield-depot/"
pytestmark = pytest.mark.usefixtures("demo_committed")


def post(client, path: str, body: dict):
    return client.post(path, json=body)


def answer_on_screen(client, base: str, survey, lang: str, *, consent: int) -> list[dict]:
    """The four questions skipped, then the consent; on a yes, an age band and sex."""
    started = post(client, base + "api/survey/start", {"survey": survey.id, "lang": lang})
    assert started.status_code == 200, started.get_json()
    held = {"survey": survey.id, "lang": lang, "handle": started.get_json()["handle"]}
    question = started.get_json()["question"]
    shown = [question]
    steps = [{"outcome": "skipped"}] * 4 + [{"outcome": "answered", "value": consent}]
    if consent:
        steps += [{"outcome": "answered", "value": 4}, {"outcome": "prefer_not"}]
    for step in steps:
        reply = post(
            client, base + "api/survey/answer", {**held, **step, "question": question["id"]}
        )
        assert reply.status_code == 200, reply.get_json()
        body = reply.get_json()
        if body.get("done"):
            shown.append(body)
            break
        question = body["question"]
        shown.append(question)
    return shown


@pytest.mark.parametrize(
    ("base", "lang", "words"),
    [
        (
            KIOSK,
            "en",
            ("Equality questions (optional)", "Will you answer them?", "How old are you?"),
        ),
        (
            KIOSK,
            "ur",
            ("مساوات کے سوالات (اختیاری)", "کیا آپ ان کے جواب دیں گے؟", "آپ کی عمر کیا ہے؟"),
        ),
        ("/o/{slug}/", "pl", ("Pytania o równość (dobrowolne)", "Czy chcesz", "Ile masz lat?")),
        (
            "/o/{slug}/",
            "so",
            ("Su'aalaha sinnaanta (ikhtiyaari)", "Ma ka jawaabaysaa?", "Da'daadu"),
        ),
    ],
)
def test_on_a_screen_the_consent_shows_in_full_and_a_yes_asks_them(
    client, demo, session, base, lang, words
):
    survey = create_survey(session, demo, audience="open", monitoring=("age", "sex"))
    session.commit()
    shown = answer_on_screen(client, base.format(slug=demo.slug), survey, lang, consent=1)
    consent = shown[4]
    assert consent["consent"] is True and consent["kind"] == "yes_no"
    assert consent["preface"].startswith(words[0]) and consent["text"].startswith(words[1])
    assert consent["prefer_not"] is False
    assert shown[5]["text"].startswith(words[2]) and shown[5]["preface"] == ""
    assert len(shown[5]["options"]) == 6 and shown[5]["prefer_not"] is True
    assert shown[-1]["done"] is True
    session.expire_all()
    assert equality_answers(session) == [("age", "answered", 4), ("sex", "prefer_not", None)]


@pytest.mark.parametrize("base", [KIOSK, "/o/{slug}/"])
def test_on_a_screen_a_no_finishes_and_keeps_no_equality_answer(client, demo, session, base):
    survey = create_survey(session, demo, audience="open", monitoring=("age", "sex"))
    session.commit()
    shown = answer_on_screen(client, base.format(slug=demo.slug), survey, "en", consent=0)
    assert shown[-1]["done"] is True and len(shown) == 6
    session.expire_all()
    assert equality_answers(session) == [] and consent_answers(session) == [("answered", 0)]
    # A "prefer not to say" is not an answer the consent takes.
    survey2 = create_survey(session, demo, keyword="PULSE2", audience="open", monitoring=("age",))
    session.commit()
    url = base.format(slug=demo.slug)
    started = post(client, url + "api/survey/start", {"survey": survey2.id, "lang": "en"})
    held = {"survey": survey2.id, "lang": "en", "handle": started.get_json()["handle"]}
    question = started.get_json()["question"]
    for _ in range(4):
        question = post(
            client,
            url + "api/survey/answer",
            {**held, "outcome": "skipped", "question": question["id"]},
        ).get_json()["question"]
    refused = post(
        client,
        url + "api/survey/answer",
        {**held, "outcome": "prefer_not", "question": question["id"]},
    )
    assert refused.status_code == 400


def test_the_kiosk_page_carries_the_consent_buttons_in_its_language(client, demo, session):
    survey = create_survey(session, demo, audience="open", monitoring=("age",))
    session.commit()
    page = client.get(f"{KIOSK}survey/{survey.id}?lang=pa").get_data(as_text=True)
    config = json.loads(page.split('id="survey-config">', 1)[1].split("</script>", 1)[0])
    assert (config["consentYes"], config["consentNo"]) == ("ਹਾਂ, ਮੈਨੂੰ ਪੁੱਛੋ", "ਨਹੀਂ, ਸਾਰੇ ਛੱਡ ਦਿਓ")


def _paper_form(survey, site, *, consent: str, sheet: int, language: str) -> dict:
    q = {question.monitoring or question.position: question for question in survey.questions}
    return {
        "sheet": str(sheet),
        "site": str(site.id),
        "language": language,
        f"q{q[1].id}": "1",
        f"q{q[2].id}": "3",
        f"q{q[3].id}": "1",
        f"q{q[4].id}": "",
        f"q{q[4].id}-text": "",
        f"q{q['consent'].id}": consent,
        # Ticked on the sheet whatever the consent box says.
        f"q{q['age'].id}": "2",
        f"q{q['sex'].id}": "prefer_not",
    }


@pytest.mark.parametrize(("consent", "language"), [("0", "gu"), ("", "ro")])
def test_a_paper_sheet_without_a_yes_keeps_none_of_its_equality_ticks(
    console, managers, session, demo, consent, language
):
    survey = create_survey(session, demo, monitoring=("age", "sex"))
    site = session.scalar(select(Site).where(Site.slug == "eastfield-depot"))
    session.commit()
    console.sign_in(managers["admin"].email, managers["admin"].totp_secret)
    page = f"/console/surveys/{survey.id}/paper"
    form = _paper_form(survey, site, consent=consent, sheet=3, language=language)
    shown = console.get(page).get_data(as_text=True)
    assert "The equality questions' consent." in html.unescape(shown)
    console.post(page, form, token_from=page, follow_redirects=True)
    # Waiting for its second entry, the sheet already holds no equality answer.
    from service.crypto import vault_of

    [entry] = session.scalars(select(SurveyPaperEntry)).all()
    held = vault_of(session).decrypt(entry.entry_encrypted)
    equality = session.scalars(
        select(SurveyQuestion.id).where(SurveyQuestion.monitoring.in_(("age", "sex")))
    ).all()
    assert all(f'"{qid}"' not in held for qid in equality)
    counted = console.post(page, form, token_from=page, follow_redirects=True)
    assert "Sheet 3 counted" in html.unescape(page_text(counted))
    session.expire_all()
    assert equality_answers(session) == []


def test_a_paper_sheet_ticked_yes_keeps_its_equality_answers_and_names_no_one(
    console, managers, session, demo
):
    from service.crypto import vault_of

    survey = create_survey(session, demo, monitoring=("age", "sex"))
    site = session.scalar(select(Site).where(Site.slug == "eastfield-depot"))
    session.commit()
    console.sign_in(managers["admin"].email, managers["admin"].totp_secret)
    page = f"/console/surveys/{survey.id}/paper"
    for _ in range(2):
        form = _paper_form(survey, site, consent="1", sheet=4, language="en")
        console.post(page, form, token_from=page, follow_redirects=True)
    session.expire_all()
    assert equality_answers(session) == [("age", "answered", 2), ("sex", "prefer_not", None)]
    surveys.close_survey(session, survey, utcnow())
    session.flush()
    assert links(session, vault_of(session)) == set()


def test_the_paper_sheet_prints_the_consent_before_the_equality_questions(
    app, demo, session, tmp_path
):
    create_survey(session, demo, audience="open", monitoring=("age", "ethnicity"))
    site = find_site(session, "eastfield-depot", demo.id)
    pack = build_pack(session, site, ("en", "pl"), public_url=PUBLIC_URL, now=utcnow())
    path = tmp_path / "pack.pdf"
    path.write_bytes(pack.pdf)
    pages = " ".join(page_texts(path)).replace("\n", " ")
    for words in (
        ("Equality questions (optional)", "5. Will you answer them?", "6. How old are you?"),
        ("Pytania o równość (dobrowolne)", "5. Czy chcesz na nie", "6. Ile masz lat?"),
    ):
        places = [pages.index(w) for w in words]
        assert places == sorted(places), words
    assert "If you tick No, leave the questions below blank" in pages
    assert "Jeśli zaznaczysz Nie" in pages
    assert "Asian or Asian British" in pages and "Azjatyckie lub brytyjskie azjatyckie" in pages
