"""A kiosk keyboard set to Urdu, Punjabi or Gujarati types its own digits: they are digits."""

from __future__ import annotations

import pytest

from tests.support.kiosk_browser import open_join

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("digits", ["۰۷۴۰۰۱۲۳۴۵۶", "੦੭੪੦੦੧੨੩੪੫੬", "૦૭૪૦૦૧૨૩૪૫૬"])
def test_a_number_typed_in_native_digits_is_the_number(page, live, digits):
    open_join(page, "careers")
    for key in digits:
        # What a keyboard in that layout sends (Playwright's own keyboard knows US keys only).
        page.evaluate(
            "key => document.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true}))",
            key,
        )
    assert page.locator("[data-step=number] [data-entry]").inner_text() == "07400 123456"
