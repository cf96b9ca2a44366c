"""The surveys console in real Chromium: write a survey, see its texts, open it, read results."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from service.db import utcnow
from tests.support.browser import screenshot
from tests.support.console_browser import WCAG_AA, manager_secret, sign_in
from tests.support.kiosk_browser import violations

pytestmark = pytest.mark.browser


def test_an_admin_writes_a_survey_and_sees_each_text_and_the_results(live, page):
    email = "surveys@northgate.example"
    secret = manager_secret(live.database, live.org_id, email, ("admin", None, None))
    sign_in(page, email, secret)
    page.get_by_role("link", name="Surveys", exact=True).click()
    expect(page.get_by_role("heading", name="Surveys", exact=True)).to_be_visible()
    assert violations(page, WCAG_AA) == []
    page.get_by_label("Title").fill("Depot canteen")
    page.get_by_label("Introduction").fill("Two quick questions.")
    page.get_by_label("Keyword (one word that starts it by text)").fill("CANTEEN")
    closes = (utcnow() + dt.timedelta(days=10)).date().isoformat()
    page.get_by_label("Closes at the end of").fill(closes)
    page.get_by_role("button", name="Create survey").click()
    expect(page.get_by_text("Survey created. Add its questions.")).to_be_visible()
    page.get_by_label("Kind").select_option("choice")
    page.get_by_label("Question", exact=True).fill("Is the canteen open when you need it?")
    page.get_by_label("Options, one a line (one choice only: 2 to 9)").fill(
        "Always\nSometimes\nNever"
    )
    page.get_by_role("button", name="Add question").click()
    expect(page.get_by_text("Question added.")).to_be_visible()
    expect(
        page.get_by_text("1 of 1: Is the canteen open when you need it? 1 Always, 2 Sometimes")
    ).to_be_visible()
    assert violations(page, WCAG_AA) == []
    screenshot(page, "survey-draft", area="console")
    page.get_by_role("button", name="Open and send invitations").click()
    expect(page.get_by_text("Survey open.")).to_be_visible()
    # The one reminder: a button until it is sent, then when it went, and no button.
    page.get_by_role("button", name="Send reminder").click()
    expect(page.get_by_text("Reminder queued for")).to_be_visible()
    expect(page.get_by_text("A survey has one reminder.")).to_be_visible()
    expect(page.get_by_role("button", name="Send reminder")).to_have_count(0)
    assert violations(page, WCAG_AA) == []
    screenshot(page, "survey-reminded", area="console")
    page.get_by_role("link", name="Results").click()
    expect(page.get_by_role("heading", name="Results: Depot canteen")).to_be_visible()
    expect(page.get_by_text("(Cochran's formula")).to_be_visible()
    # The question's chart, named by its text alternative, beside its table.
    chart = page.get_by_role("img", name="Bar chart of the answers to question 1")
    expect(chart).to_be_visible()
    expect(page.get_by_role("table", name="Answers to question 1")).to_be_visible()
    with page.expect_download() as downloaded:
        page.get_by_role("link", name="Download these results (CSV)").click()
    assert downloaded.value.suggested_filename.endswith("-results.csv")
    assert violations(page, WCAG_AA) == []
    screenshot(page, "survey-results", area="console")
