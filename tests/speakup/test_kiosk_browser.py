"""Speak up on the kiosk in Chromium: a code shown once, the case read with it, nothing kept."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from service.speakup import operations as speakup
from service.speakup.models import SpeakUpCase
from tests.support.browser import screenshot, watched_tab
from tests.support.kiosk_browser import EVERYTHING_KEPT, HOME, violations

pytestmark = pytest.mark.browser

CONCERN = "Agency staff are told to skip the manual handling training."


@pytest.fixture
def page(browser, live):
    """A kiosk tab; the page's CSP is set aside only so axe can be injected to check it."""
    with watched_tab(browser, live.url, bypass_csp=True) as tab:
        yield tab


def test_speak_up_then_follow_the_case_leaving_nothing_behind(page, live):
    page.goto(f"{HOME}speak-up?lang=en")
    start = page.evaluate("history.length")
    assert violations(page) == []
    page.get_by_label("What is worrying you?").fill(CONCERN)
    page.get_by_role("button", name="Send to the guardian").click()
    shown = page.locator("[data-code]")
    shown.wait_for()
    code = shown.inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code)
    assert page.get_by_label("What is worrying you?").is_hidden()
    assert violations(page) == []
    screenshot(page, "speak-up-code")
    with live.database.session() as session:
        case = session.scalars(select(SpeakUpCase).order_by(SpeakUpCase.id.desc())).first()
        assert speakup.messages(session, case)[0][1] == CONCERN
        speakup.reply(
            session, case, "Thank you. Training is booked for everyone.", case.last_activity_at
        )
    # The next step on the same screen: open the case with the code, as typed from paper.
    page.get_by_label("Your case code").fill(code.replace("-", " ").lower())
    page.get_by_role("button", name="Open my case").click()
    page.locator("[data-replies] li").first.wait_for()
    assert "Training is booked for everyone." in page.locator("[data-replies]").inner_text()
    screenshot(page, "speak-up-case")
    # Nothing of it was kept: no history entries, no storage, no cookies, no cache; the
    # concern is not even in the page any more.
    assert page.evaluate("history.length") == start
    kept = page.evaluate(EVERYTHING_KEPT)
    without_dom = {k: v for k, v in kept.items() if k != "dom"}
    assert CONCERN not in repr(without_dom) and code not in repr(without_dom)
    assert code.replace("-", "") not in repr(without_dom)
    assert CONCERN not in kept["dom"]
    # "Finish" goes back to the start, and the code leaves the screen with it.
    page.get_by_role("link", name="Finish").click()
    page.wait_for_url(f"**{HOME}?lang=en")
    assert code not in page.content()


def test_a_wrong_code_is_said_plainly(page, live):
    page.goto(f"{HOME}speak-up?lang=en")
    page.get_by_label("Your case code").fill("0000-0000-0000-0000")
    page.get_by_role("button", name="Open my case").click()
    alert = page.locator("[data-speakup-form=case] [data-error]")
    alert.filter(has_text="does not match a case").wait_for()


def test_a_concern_in_crisis_shows_999_and_the_crisis_line_first(page, live):
    page.goto(f"{HOME}speak-up?lang=pl")
    crisis = (
        page.locator("[data-speakup-form=speak-up]").locator("xpath=..").locator("[data-crisis]")
    )
    assert crisis.is_hidden()
    page.locator("#concern").fill("Kierownik na mnie krzyczy, mam myśli samobójcze")
    page.locator("[data-speakup-form=speak-up] button[type=submit]").click()
    page.locator("[data-code]").wait_for()
    expect(crisis).to_be_visible()
    text = crisis.inner_text()
    assert "999" in text and "Samaritans" in text and "116" in text
    # Above the code, in the order the page is read.
    box = crisis.bounding_box()
    assert box["y"] < page.locator("[data-code]").bounding_box()["y"]
    assert violations(page) == []


# What a worker taps on the kiosk's own keyboard, key by key, in the screen's language: Urdu
# (right to left), Gujarati (its letters from the InScript mapping), Romanian (ș and ț, which
# the keyboard layouts library lacks), Polish, and Somali (Latin letters).
TAPPED = {
    "ur": "ڈر لگتا ہے",
    "gu": "મને ડર છે",
    "ro": "șeful țipă",
    "pl": "szef krzyczy",
    "so": "waan cabsanayaa",
}


def tap(page, keyboard, text: str) -> None:
    """Type text on the on-screen keyboard, a key per character, shifting where needed."""
    for ch in text:
        key = keyboard.locator(f'.hg-button[data-skbtn="{"{space}" if ch == " " else ch}"]')
        if key.count() == 0:  # on the shifted layer
            keyboard.locator('.hg-button[data-skbtn="{shift}"]').first.click()
        key.first.click()


@pytest.mark.parametrize("lang", sorted(TAPPED))
def test_a_concern_is_typed_on_the_kiosks_own_keyboard_in_its_language(browser, live, lang):
    # Before: free text needed a physical keyboard or the system's, which a kiosk may not have
    # and which may not offer these scripts. Now the screen has keys in its own language.
    portrait = {"width": 1080, "height": 1920}
    with watched_tab(browser, live.url, bypass_csp=True, has_touch=True, **portrait) as page:
        page.goto(f"{HOME}speak-up?lang={lang}")
        box = page.locator("#concern")
        # The system's keyboard is kept away: the kiosk's own is the one on screen.
        assert box.get_attribute("inputmode") == "none"
        keyboard = page.locator('[data-keyboard-for="concern"]')
        keyboard.scroll_into_view_if_needed()
        expect(keyboard.locator(".hg-button").first).to_be_visible()
        tap(page, keyboard, TAPPED[lang])
        assert box.input_value() == TAPPED[lang]
        keyboard.locator('.hg-button[data-skbtn="{bksp}"]').click()
        assert box.input_value() == TAPPED[lang][:-1]
        tap(page, keyboard, TAPPED[lang][-1])
        screenshot(page, f"speak-up-keyboard-{lang}")
        assert violations(page) == []
        page.locator("[data-speakup-form=speak-up] button[type=submit]").click()
        page.locator("[data-code]").wait_for()
        with live.database.session() as session:
            case = session.scalars(select(SpeakUpCase).order_by(SpeakUpCase.id.desc())).first()
            assert speakup.messages(session, case)[0][1] == TAPPED[lang]
        # Sent, the words leave the keyboard's memory as well as the box.
        assert page.evaluate(
            "() => [...document.querySelectorAll('textarea')].every((t) => t.value === '')"
        )
        assert TAPPED[lang] not in page.evaluate(EVERYTHING_KEPT)["dom"]


def test_the_on_screen_keyboard_works_under_the_kiosks_content_security_policy(browser, live):
    # No CSP bypass here (the other tests set it aside for axe): a style or script the policy
    # blocks fails the test when the tab closes.
    with watched_tab(browser, live.url) as page:
        page.goto(f"{HOME}speak-up?lang=gu")
        keyboard = page.locator('[data-keyboard-for="case-more"]')
        tap(page, keyboard, "ડર")
        assert page.locator("#case-more").input_value() == "ડર"
        assert keyboard.locator(".hg-button").first.bounding_box()["height"] >= 56
