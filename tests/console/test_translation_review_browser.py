"""The Translations pages in real Chromium: reachable from the menu, accessible, Somali noted."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from service import catalog_review
from tests.support.browser import screenshot
from tests.support.console_browser import WCAG_AA, manager_secret, sign_in
from tests.support.kiosk_browser import violations

pytestmark = pytest.mark.browser


def test_a_network_lead_sees_what_awaits_native_review(page, live):
    email = "words@northgate.example"
    lead = ("network_lead", None, None)
    sign_in(page, email, manager_secret(live.database, live.org_id, email, lead))
    page.get_by_role("link", name="Translations", exact=True).click()
    somali = next(s for s in catalog_review.statuses() if s.code == "so")
    row = page.get_by_role("row", name="Somali")
    assert row.get_by_role("cell").first.inner_text() == str(somali.count("crisis", reviewed=False))
    expect(page.get_by_role("heading", name="Somali on the phone line")).to_be_visible()
    assert violations(page, WCAG_AA) == []
    screenshot(page, "translations", area="console")
    # The first link is the language's strings; the second, in the content table, its fields.
    page.get_by_role("link", name="Somali", exact=True).first.click()
    first = page.get_by_role("heading", level=2).first
    assert first.inner_text() == "Recordings needed"
    crisis = page.get_by_role("heading", name="Crisis:")
    assert crisis.inner_text().startswith(
        f"Crisis: {somali.count('crisis', reviewed=False)} awaiting"
    )
    assert violations(page, WCAG_AA) == []
    screenshot(page, "translations-so", area="console", full_page=False)
