"""The reach dashboard in real Chromium: accessible, filtered, and downloaded as CSV."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import screenshot
from tests.support.console_browser import WCAG_AA, manager_secret, sign_in
from tests.support.kiosk_browser import violations

pytestmark = pytest.mark.browser


def test_an_admin_filters_the_reach_table_and_downloads_it(page, live, tmp_path):
    email = "reach@northgate.example"
    sign_in(page, email, manager_secret(live.database, live.org_id, email, ("admin", None, None)))
    page.get_by_role("link", name="Reach", exact=True).click()
    table = page.get_by_role("table", name="Reach by network")
    expect(table).to_be_visible()
    # The demo's history: Careers Network has joins in the last twelve months.
    expect(page.get_by_role("rowheader", name="Careers Network")).to_be_visible()
    assert violations(page, WCAG_AA) == []
    screenshot(page, "reach", area="console")
    page.get_by_label("Show a line for each").select_option(label="site")
    page.get_by_label("Channel").select_option(label="Print")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("table", name="Reach by site")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Eastfield Depot")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name.startswith("reach-by-site-")
    text = path.read_text(encoding="utf-8-sig")
    assert text.startswith("Site,Members now,Joins") and "Eastfield Depot" in text
