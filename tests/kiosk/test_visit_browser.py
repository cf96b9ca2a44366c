"""One visit, one code, in real Chromium (issue 19 items 5 and 6)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import screenshot
from tests.support.kiosk_browser import (
    E164,
    HOME,
    assert_no_number,
    open_join,
    prove_number,
)

pytestmark = pytest.mark.browser


def going_to_the_first_session(tab) -> None:
    tab.get_by_role("link", name=re.compile("What's on")).click()
    tab.locator("a.card").first.click()
    tab.wait_for_url(re.compile(r"/events/\d+/"))
    tab.get_by_role("button", name="I'm going").click()


def test_one_code_serves_the_whole_visit_and_the_next_person_needs_their_own(page, live):
    open_join(page, "careers")
    prove_number(page, live)
    # Item 6: the screen and a text say what was joined, and the text how to leave.
    page.get_by_text("You have joined Careers").wait_for()
    assert "LEAVE CAREERS" in live.texts_to(E164)[-1]
    screenshot(page, "visit-joined-en")
    # The bar shows the visit's number, masked, with a way to end it.
    badge = page.locator("[data-visit-end]")
    expect(badge).to_be_visible()
    assert "456" in badge.inner_text()
    page.get_by_role("button", name="Do something else").click()
    page.wait_for_url(f"**{HOME}?lang=en")
    going_to_the_first_session(page)
    # No number pad: the number checked a moment ago, masked, and one tap.
    proven = page.locator("[data-step=proven]:visible")
    assert "•••" in proven.inner_text() and "456" in proven.inner_text()
    assert page.locator("[data-step=number]:visible").count() == 0
    screenshot(page, "visit-proven-en")
    page.get_by_role("button", name="Yes, I'm going").click()
    page.get_by_text("You are going").wait_for()
    codes = [t for t in live.texts_to(E164) if "your code is" in t]
    assert len(codes) == 1
    # "Finish" resets the kiosk: the next person's "I'm going" asks for a number and a code.
    page.locator("[data-step=done]:visible").get_by_role("button", name="Finish").click()
    page.wait_for_url(f"**{HOME}?lang=en")
    page.locator(".tiles").wait_for()
    assert page.locator("[data-visit-end]").is_hidden()
    kept = assert_no_number(page)
    assert "frontline-visit" not in kept["session"]
    going_to_the_first_session(page)
    page.locator("[data-step=number]:visible").wait_for()
    assert page.locator("[data-step=proven]:visible").count() == 0


def test_a_visit_ended_on_the_server_asks_for_the_number_again(page, live):
    open_join(page, "women")
    prove_number(page, live)
    page.get_by_text("You have joined").wait_for()
    # The server forgets the visit (here: another tab's reset with its handle).
    token = page.evaluate("JSON.parse(sessionStorage.getItem('frontline-visit')).token")
    answer = page.request.post(f"{HOME}reset", data={"visit": token})
    assert answer.status == 204
    page.get_by_role("button", name="Do something else").click()
    page.wait_for_url(f"**{HOME}?lang=en")
    # The page's own look at the visit finds it over and drops it.
    page.locator("[data-visit-end]").wait_for(state="hidden")
    going_to_the_first_session(page)
    page.locator("[data-step=number]:visible").wait_for()
