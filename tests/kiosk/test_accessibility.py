"""axe-core finds no WCAG 2.2 AA violation on any kiosk or public page, in any language."""

from __future__ import annotations

import pytest

from service.languages import CODES
from tests.support.kiosk_browser import violations

pytestmark = pytest.mark.browser

KIOSK = "/kiosk/eastfield-depot/"
PAGES = [
    f"{KIOSK}",
    f"{KIOSK}networks",
    f"{KIOSK}networks/minds",
    f"{KIOSK}networks/careers",
    f"{KIOSK}events",
    "EVENT",
    f"{KIOSK}support",
    f"{KIOSK}language",
    f"{KIOSK}speak-up",
    "/o/northgate/",
    "/o/northgate/n/minds",
]


@pytest.fixture(scope="module")
def axe_tab(browser, live):
    """One tab for every check; axe is injected, so the page's own CSP is set aside here."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 1024}, base_url=live.url, bypass_csp=True
    )
    tab = context.new_page()
    yield tab
    context.close()


def event_page(tab) -> str:
    tab.goto(f"{KIOSK}events?lang=en")
    return tab.locator("a.card").first.get_attribute("href").split("?")[0]


@pytest.mark.parametrize("code", CODES)
def test_no_violations_on_any_page(axe_tab, code):
    event = event_page(axe_tab)
    found = {}
    for path in PAGES:
        path = event if path == "EVENT" else path
        axe_tab.goto(f"{path}?lang={code}")
        found[path] = violations(axe_tab)
    assert not any(found.values()), {p: v for p, v in found.items() if v}


@pytest.mark.parametrize("code", CODES)
def test_no_violations_in_the_code_step_or_the_still_there_question(axe_tab, code):
    axe_tab.goto(f"{KIOSK}networks/minds?lang={code}")
    axe_tab.locator("[data-open]").click()
    assert violations(axe_tab) == []
    axe_tab.locator("[data-agree]").click()
    axe_tab.locator("[data-step=number] [data-key='7']").click()
    assert violations(axe_tab) == []
    axe_tab.evaluate(
        "document.querySelector('[data-still-there]').hidden = false;"
        "document.querySelector('[data-countdown]').textContent = '20';"
    )
    assert violations(axe_tab) == []


def test_the_checker_itself_catches_a_broken_page(axe_tab):
    """A guard against a silent checker: markup known to be wrong must be reported."""
    axe_tab.goto(f"{KIOSK}?lang=en")
    axe_tab.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend', "
        "'<img src=\"x.png\"><button></button>')"
    )
    found = " ".join(violations(axe_tab))
    assert "image-alt" in found and "button-name" in found
