"""A call-back asked at the kiosk says when a call suits, with big buttons (issue 19 item 14)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.callbacks.models import CallbackRequest
from service.organisations.models import Site
from tests.support.browser import screenshot, watched_tab
from tests.support.kiosk_browser import HOME, type_digits
from tests.support.texts import code_in

pytestmark = pytest.mark.browser

NUMBER = "07400555777"
E164 = "+447400555777"


def test_the_kiosk_asks_when_to_call_then_the_request_carries_it(page, live):
    page.goto(f"{HOME}support?lang=en")
    page.get_by_role("button", name="Ask someone to call me").click()
    page.get_by_role("heading", name="When is a good time to call you?").wait_for()
    screenshot(page, "callback-when-en", full_page=False)
    page.get_by_role("button", name="Evening").click()
    type_digits(page, NUMBER)
    page.locator("[data-step=number]:visible [data-send]").click()
    page.get_by_role("heading", name="Type the code we texted you").wait_for()
    type_digits(page, code_in(live.texts_to(E164)[-1]))
    page.get_by_role("button", name="Confirm").click()
    page.locator("[data-step=done]:visible [data-message]").wait_for()
    with live.database.session() as session:
        row = session.scalars(select(CallbackRequest)).one()
        site = session.get(Site, row.site_id)
        got = (row.channel, row.good_time, row.language, site.slug if site else None)
    assert got == ("kiosk", "evening", "en", "eastfield-depot")


@pytest.mark.parametrize(
    ("lang", "question", "buttons", "size"),
    [
        ("pl", "Kiedy najlepiej do ciebie zadzwonić?", ["Rano", "Wieczorem"], (1366, 768)),
        ("ur", "آپ کو کال کرنے کا اچھا وقت کب ہے؟", ["صبح", "شام"], (1920, 1080)),
        ("so", "Goorma ayaa kuugu habboon in lagu soo waco?", ["Subax", "Fiid"], (1080, 1920)),
    ],
)
def test_the_question_and_its_buttons_are_on_screen_in_each_language(
    browser, live, lang, question, buttons, size
):
    width, height = size
    with watched_tab(browser, live.url, width=width, height=height) as tab:
        tab.goto(f"{HOME}support?lang={lang}")
        tab.locator("#call-me [data-open]").click()
        heading = tab.get_by_role("heading", name=question)
        heading.wait_for()
        # Every choice and Cancel can be tapped without scrolling, each a big target.
        for name in [*buttons, None]:
            button = (
                tab.locator("[data-step=when]:visible [data-cancel]")
                if name is None
                else tab.get_by_role("button", name=name, exact=True)
            )
            box = button.bounding_box()
            assert box is not None, name
            assert box["y"] >= 0 and box["y"] + box["height"] <= height, (name, box, height)
            assert box["height"] >= 44, (name, box)
        screenshot(tab, f"callback-when-{lang}-{width}x{height}", full_page=False)
