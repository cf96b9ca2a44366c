"""Support and what's on in real Chromium (issue 19 item 9)."""

from __future__ import annotations

import re

import pytest

from service.content import queries
from service.messaging.replies import phone
from tests.support.browser import screenshot
from tests.support.kiosk_browser import HOME, type_digits

pytestmark = pytest.mark.browser

NUMBER = "07400222333"
E164 = "+447400222333"


def test_text_me_these_numbers_sends_the_support_lines(page, live):
    # Before: the support page offered only a call back; the numbers had to be copied down.
    page.goto(f"{HOME}support?lang=en")
    page.get_by_role("button", name="Text me these numbers").click()
    type_digits(page, NUMBER)
    page.locator("[data-step=number]:visible [data-send]").click()
    page.get_by_text("We have texted the numbers to").wait_for()
    texts = live.texts_to(E164)
    assert len(texts) == 1
    with live.database.session() as session:
        lines = queries.support_lines(session, live.org_id, "en")
    assert lines and all(phone(line.phone) in texts[0] for line in lines[:2])
    screenshot(page, "support-texted-en", full_page=False)


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_whats_on_names_the_network_and_the_place_with_its_site(page, live, lang):
    page.goto(f"{HOME}events?lang={lang}")
    headings = page.locator("main h2").all_inner_texts()
    assert len(headings) == 3, headings
    first = page.locator("a.card").first
    assert first.locator("[data-network]").inner_text().strip()
    assert re.search(r"[,،]", first.locator("[data-where]").inner_text())
    screenshot(page, f"events-{lang}")
