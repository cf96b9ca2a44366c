"""The equality questions' consent at the kiosk, in real Chromium, in English and Urdu."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from service.organisations.operations import organisation_by_slug
from service.surveys.models import Survey, SurveyAnswer, SurveyQuestion
from tests.support.browser import screenshot
from tests.support.kiosk_browser import HOME, violations
from tests.support.surveys import create_survey

pytestmark = pytest.mark.browser

PREFACE = {"en": "Equality questions (optional)", "ur": "مساوات کے سوالات (اختیاری)"}
YES = {"en": "Yes, I will answer them", "ur": "ہاں، مجھ سے پوچھیں"}
NO = {"en": "No, skip them all", "ur": "نہیں، سب چھوڑ دیں"}


@pytest.fixture
def survey(live):
    """An open survey ending with two equality questions, removed after the test."""
    with live.database.session() as session:
        org = organisation_by_slug(session, "northgate")
        found = create_survey(
            session, org, audience="open", keyword="SAYSO", monitoring=("age", "sex")
        )
        session.commit()
        survey_id = found.id
    yield survey_id
    with live.database.session() as session:
        session.delete(session.get_one(Survey, survey_id))
        session.commit()


def equality_answers(live, survey_id: int) -> list[tuple[str, str]]:
    with live.database.session() as session:
        return sorted(
            tuple(r)
            for r in session.execute(
                select(SurveyQuestion.monitoring, SurveyAnswer.outcome)
                .join(SurveyQuestion, SurveyAnswer.question_id == SurveyQuestion.id)
                .where(SurveyQuestion.survey_id == survey_id)
                .where(SurveyQuestion.monitoring.in_(("age", "sex")))
            )
        )


@pytest.mark.parametrize(("lang", "agree"), [("en", True), ("ur", False)])
def test_the_consent_screen_explains_and_a_no_skips_every_equality_question(
    page, live, survey, lang, agree
):
    page.goto(f"{HOME}survey/{survey}?lang={lang}")
    page.locator("[data-survey-start]").click()
    progress = page.locator("[data-progress]")
    for n in range(1, 5):
        expect(progress).to_contain_text(str(n))
        page.locator("[data-move=skipped]").click()
    expect(progress).to_contain_text("5")
    preface = page.locator("[data-preface]")
    expect(preface).to_be_visible()
    expect(preface).to_contain_text(PREFACE[lang])
    buttons = page.locator("[data-answers] button")
    expect(buttons).to_have_text([YES[lang], NO[lang]])
    # A yes or a no, nothing else: no skip and no "prefer not to say" on the consent.
    expect(page.locator("[data-move=skipped]")).to_be_hidden()
    expect(page.locator("[data-move=prefer_not]")).to_be_hidden()
    found = violations(page)
    assert found == [], found
    screenshot(page, f"survey-consent-{lang}", full_page=False)
    if agree:
        buttons.first.click()
        expect(preface).to_be_hidden()
        expect(page.locator("[data-question-text]")).to_have_text("How old are you?")
        expect(page.locator("[data-answers] button")).to_have_count(6)
        screenshot(page, f"survey-equality-{lang}", full_page=False)
        page.locator("[data-answers] button").nth(1).click()
        expect(page.locator("[data-question-text]")).to_have_text("What is your sex?")
        page.locator("[data-move=prefer_not]").click()
        expect(page.locator("[data-done-message]")).to_be_visible()
        assert equality_answers(live, survey) == [("age", "answered"), ("sex", "prefer_not")]
    else:
        buttons.nth(1).click()
        expect(page.locator("[data-done-message]")).to_be_visible()
        assert equality_answers(live, survey) == []
