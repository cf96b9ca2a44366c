"""The main action is on screen (issue 19 item 7): positions measured in real Chromium."""

from __future__ import annotations

import re

import pytest

from tests.support.browser import screenshot, watched_tab
from tests.support.kiosk_browser import HOME

pytestmark = pytest.mark.browser

SCREENS = {"landscape": (1366, 768), "full-hd": (1920, 1080), "portrait": (1080, 1920)}

# Every element that shows text of its own, with its size in CSS pixels.
TEXT_SIZES = """() => [...document.querySelectorAll('body *')]
  .filter((e) => e.offsetParent !== null && !e.closest('[hidden], template, script, style'))
  .filter((e) => [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
  .map((e) => [e.tagName + '.' + e.className + ' ' + e.textContent.trim().slice(0, 30),
               parseFloat(getComputedStyle(e).fontSize)])"""


def on_screen(tab, locator) -> None:
    """The element is inside the first screenful, the page unscrolled."""
    box = locator.bounding_box()
    width, height = tab.viewport_size["width"], tab.viewport_size["height"]
    assert tab.evaluate("scrollY") == 0
    assert box is not None and box["y"] >= 0 and box["x"] >= 0, box
    assert box["y"] + box["height"] <= height and box["x"] + box["width"] <= width, (box, height)


@pytest.fixture(params=list(SCREENS), ids=list(SCREENS))
def screen(request, browser, live):
    width, height = SCREENS[request.param]
    with watched_tab(browser, live.url, width=width, height=height) as tab:
        tab.screen_name = request.param
        yield tab


@pytest.mark.parametrize("lang", ["en", "ur", "pl"])
@pytest.mark.parametrize("slug", ["careers", "minds"])
def test_join_then_the_pad_and_send_are_on_the_first_screen(screen, slug, lang):
    screen.goto(f"{HOME}networks/{slug}?lang={lang}")
    opener = screen.locator("[data-open]")
    on_screen(screen, opener)
    if lang != "pl":
        screenshot(screen, f"layout-{slug}-{lang}-{screen.screen_name}", full_page=False)
    opener.click()
    if slug == "minds":
        agree = screen.locator("[data-step=consent] [data-agree]")
        on_screen(screen, agree)
        agree.click()
    step = screen.locator("[data-step=number]")
    for key in step.locator("[data-key]").all():
        on_screen(screen, key)
    on_screen(screen, step.locator("[data-send]"))
    on_screen(screen, step.locator("[data-entry]"))
    if lang != "pl":
        screenshot(screen, f"layout-{slug}-pad-{lang}-{screen.screen_name}", full_page=False)


def test_a_full_hd_screen_is_used_edge_to_edge(browser, live):
    with watched_tab(browser, live.url, width=1920, height=1080) as tab:
        for path in ("", "networks", "networks/careers", "events", "support"):
            tab.goto(f"{HOME}{path}?lang=en")
            used = tab.evaluate(
                "() => Math.max(...[...document.querySelectorAll('main > *')]"
                ".map((e) => e.getBoundingClientRect().width))"
            )
            assert used >= 1600, (path, used)
        for lang in ("en", "ur"):
            tab.goto(f"{HOME}?lang={lang}")
            screenshot(tab, f"layout-home-{lang}-full-hd", full_page=False)


@pytest.mark.parametrize("lang", ["en", "ur", "pa"])
def test_no_text_under_20_px_and_language_names_as_big_as_titles(page, lang):
    for path in ("", "networks", "networks/minds", "events", "support", "speak-up", "language"):
        page.goto(f"{HOME}{path}?lang={lang}")
        small = [(what, size) for what, size in page.evaluate(TEXT_SIZES) if size < 20]
        assert small == [], (path, small)
    page.goto(f"{HOME}?lang={lang}")
    title = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.tile-title')).fontSize)"
    )
    names = page.evaluate(
        "[...document.querySelectorAll('.tiles [lang]')]"
        ".map((e) => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert len(names) == 7 and min(names) >= title, (names, title)


URDU_DIGITS = re.compile(r"[\u0660-\u0669\u06f0-\u06f9\u2302]")


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_the_start_buttons_icon_is_a_picture_not_a_character(page, lang):
    # Before: "⌂" beside the word, which an Urdu reader can take for the digit ۵ (five).
    page.goto(f"{HOME}networks?lang={lang}")
    start = page.locator(".bar a").first
    text = start.inner_text().strip()
    assert not URDU_DIGITS.search(text) and not re.search(r"[^\w\s]", text), text
    icon = start.locator("svg")
    assert icon.count() == 1 and icon.get_attribute("aria-hidden") == "true"
    assert icon.bounding_box()["height"] >= 20
