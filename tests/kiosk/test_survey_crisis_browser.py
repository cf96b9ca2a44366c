"""Crisis words typed as a survey's answer at the kiosk, in real Chromium (issue 22, item 2)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from service.surveys.models import SurveyResponse, SurveyToken
from tests.kiosk.test_survey_browser import survey  # noqa: F401 (the open survey fixture)
from tests.support.kiosk_browser import EVERYTHING_KEPT, HOME, violations

pytestmark = pytest.mark.browser
WORDS = "nie chce mi się żyć"


def test_crisis_words_as_an_answer_show_999_and_the_crisis_line_alone(page, live, survey):  # noqa: F811
    page.goto(f"{HOME}survey/{survey}?lang=en")
    page.locator("[data-survey-start]").click()
    progress = page.locator("[data-progress]")
    page.locator("[data-answers] button").first.click()  # Bus
    expect(progress).to_have_text("2 of 4")
    page.locator("[data-move=skipped]").click()
    expect(progress).to_have_text("3 of 4")
    page.locator("[data-move=skipped]").click()
    expect(progress).to_have_text("4 of 4")
    box = page.locator("#survey-text")
    expect(box).to_be_visible()
    box.fill(WORDS)
    page.locator("[data-send-written]").click()

    crisis = page.locator("[data-survey-crisis]")
    expect(crisis).to_be_visible()
    # In the words' own language (Polish here), with nothing else: no question, no thanks.
    expect(crisis).to_contain_text("999")
    expect(crisis).to_contain_text("Samaritans")
    expect(page.locator("[data-survey-question]")).to_be_hidden()
    expect(page.locator("[data-survey-done]")).to_be_hidden()
    assert violations(page) == []
    with live.database.session() as session:
        assert session.scalar(select(func.count()).select_from(SurveyResponse)) == 0

    # Finish starts the screen again, and the unfinished survey goes with the person.
    crisis.locator("[data-survey-finish]").click()
    page.wait_for_url(f"**{HOME}?lang=en")
    page.locator(".tiles").wait_for()
    with live.database.session() as session:
        held = select(func.count()).select_from(SurveyToken).where(SurveyToken.survey_id == survey)
        assert session.scalar(held) == 0
    assert WORDS not in repr(page.evaluate(EVERYTHING_KEPT))
