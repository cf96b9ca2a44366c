"""Speak up at the kiosk with no keyboard (issue 19 item 8): a topic, then the code's own pad."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.speakup import operations as speakup
from service.speakup.models import SpeakUpCase
from tests.support.browser import screenshot
from tests.support.kiosk_browser import HOME

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_a_concern_raised_and_followed_with_taps_alone(page, live, lang):
    # Before: the only way to speak up was to type, and the case code went into a text box:
    # on a touchscreen with no keyboard, nothing could be written at all.
    page.goto(f"{HOME}speak-up?lang={lang}")
    topic = page.locator("[data-topic]").first
    label = topic.inner_text().strip()
    topic.click()
    assert topic.get_attribute("aria-pressed") == "true"
    page.locator("[data-speakup-form=speak-up] [type=submit]").click()
    shown = page.locator("[data-code]")
    shown.wait_for()
    code = shown.inner_text()
    with live.database.session() as session:
        case = session.scalars(select(SpeakUpCase).order_by(SpeakUpCase.id.desc())).first()
        assert speakup.messages(session, case)[0][1] == label
    screenshot(page, f"speak-up-topic-{lang}")
    # The code, tapped in on the kiosk's own pad (it ignores the dashes as typed from paper).
    for ch in code.replace("-", ""):
        page.locator(f"[data-code-pad] [data-char='{ch}']").click()
    page.locator("[data-code-pad] [data-char=back]").click()
    page.locator(f"[data-code-pad] [data-char='{code[-1]}']").click()
    assert page.locator("#case-code").get_attribute("inputmode") == "none"
    page.locator("[data-speakup-form=case] [type=submit]").click()
    page.locator("[data-none]").wait_for()
    screenshot(page, f"speak-up-pad-{lang}")
