"""Equality monitoring in the console, in real Chromium: add the questions, read a breakdown."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from service.db import utcnow
from service.organisations.operations import organisation_by_slug
from service.surveys import operations as surveys
from service.surveys import taking
from service.surveys.models import Survey
from tests.support.browser import screenshot
from tests.support.console_browser import WCAG_AA, manager_secret, sign_in
from tests.support.kiosk_browser import violations
from tests.support.surveys import create_survey

pytestmark = pytest.mark.browser


def answer(session, survey, n: int, choice: int, age: int | None) -> None:
    """One respondent by text: a choice, the rest skipped, then yes and an age (or no)."""
    who = taking.identity_of_number(f"+4474007{n:05d}")
    now = utcnow()
    taking.begin(session, survey, who, channel="sms", language="en", now=now)
    taking.answer(session, survey, who, outcome="answered", value=choice, now=now)
    for _ in range(3):
        taking.answer(session, survey, who, outcome="skipped", now=now)
    taking.answer(session, survey, who, outcome="answered", value=int(age is not None), now=now)
    if age is not None:
        taking.answer(session, survey, who, outcome="answered", value=age, now=now)
        taking.answer(session, survey, who, outcome="prefer_not", now=now)


def test_an_admin_adds_equality_questions_and_reads_answers_by_age_band(live, page):
    email = "equality@northgate.example"
    secret = manager_secret(live.database, live.org_id, email, ("admin", None, None))
    with live.database.session() as session:
        org = organisation_by_slug(session, "northgate")
        draft = create_survey(session, org, keyword="FAIRNESS", opened=False)
        session.commit()
        draft_id = draft.id
    sign_in(page, email, secret)
    page.goto(f"/console/surveys/{draft_id}")
    page.get_by_label("Religion or belief").uncheck()
    page.get_by_role("button", name="Add equality questions").click()
    expect(page.get_by_text("Equality questions added, after a consent question.")).to_be_visible()
    expect(
        page.get_by_text("Equality questions (optional): we ask them to check").first
    ).to_be_visible()
    expect(page.get_by_text("5 of 11: Will you answer them?").first).to_be_visible()
    assert violations(page, WCAG_AA) == []
    screenshot(page, "survey-equality-draft", area="console")

    with live.database.session() as session:
        org = organisation_by_slug(session, "northgate")
        survey = create_survey(session, org, keyword="FAIRER", monitoring=("age", "sex"))
        people = [(1, 2)] * 14 + [(2, 3)] * 12 + [(3, 6)] * 3 + [(2, None)] * 8
        for n, (choice, age) in enumerate(people):
            answer(session, survey, n, choice, age)
        surveys.close_survey(session, survey, utcnow())
        session.commit()
        survey_id = survey.id
    try:
        page.goto(f"/console/surveys/{survey_id}/results")
        page.get_by_label("Break the answers down by").select_option("age")
        page.get_by_role("button", name="Show").last.click()
        table = page.get_by_role("table", name="Answers to question 1 by age band")
        expect(table).to_be_visible()
        expect(table.get_by_role("columnheader")).to_have_text(
            ["Answer", "25 to 34", "35 to 44", "Other or not stated"]
        )
        expect(page.get_by_text("A group gets a column of its own only when 10")).to_be_visible()
        assert violations(page, WCAG_AA) == []
        screenshot(page, "survey-breakdown", area="console")
        page.get_by_label("Break the answers down by").select_option("sex")
        page.get_by_role("button", name="Show").last.click()
        # Everyone who said yes preferred not to say their sex: nobody in a group of their own.
        expect(page.get_by_text("Hidden: no group has 10 responses yet.").first).to_be_visible()
        screenshot(page, "survey-breakdown-hidden", area="console")
    finally:
        with live.database.session() as session:
            for found in (survey_id, draft_id):
                session.delete(session.get_one(Survey, found))
            session.commit()
