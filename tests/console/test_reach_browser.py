"""The reach dashboard in real Chromium: people reached per site, charts, filters and CSV."""

from __future__ import annotations

import math
import re

import pytest
from playwright.sync_api import expect

from service.db import utcnow
from service.demo.people import add_people
from service.organisations.models import Organisation
from tests.support.browser import downloaded, screenshot
from tests.support.console_browser import WCAG_AA, manager_secret, sign_in
from tests.support.kiosk_browser import violations

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def populated(live):
    """The demo as `make run` loads it: its made-up members, headcounts and people heard from."""
    with live.database.session() as session:
        add_people(session, session.get_one(Organisation, live.org_id), utcnow())
    return live


def _rows(table) -> dict[str, list[str]]:
    found = {}
    for row in table.locator("tbody tr, tfoot tr").all():
        cells = [c.strip() for c in row.locator("th, td").all_inner_texts()]
        found[cells[0]] = cells[1:]
    return found


def test_an_admin_sees_who_is_reached_at_each_site(populated, page, tmp_path):
    email = "reach.people@northgate.example"
    secret = manager_secret(populated.database, populated.org_id, email, ("admin", None, None))
    sign_in(page, email, secret)
    page.get_by_role("link", name="Reach", exact=True).click()
    expect(page.get_by_role("heading", name="Are we reaching staff at each site?")).to_be_visible()
    # Three charts, each an image with a title and a text alternative naming its figures.
    charts = page.locator("figure svg[role=img]")
    expect(charts).to_have_count(3)
    shares = page.get_by_role("img", name=re.compile("^Bar chart of members now"))
    expect(shares).to_be_visible()
    assert "Eastfield Depot: members 2" in shares.get_attribute("aria-label")
    assert page.locator("figure svg > title").first.text_content().startswith("Share of staff")
    # The table beside it: members and people heard from as shares of each headcount, and
    # the figures agree with each other (members beside joins, no month left empty).
    table = page.get_by_role("table", name=re.compile("^People reached by site"))
    rows = _rows(table)
    assert rows["Eastfield Depot"][0] == "640"
    for site in ("Eastfield Depot", "Riverside Depot", "Willow Court Care Home", "Civic Hall"):
        members, share = int(rows[site][1]), rows[site][2]
        headcount = int(rows[site][0].replace(",", ""))
        assert members >= 50 and share == f"{math.floor(100 * members / headcount + 0.5)}%"
        assert int(rows[site][3]) > 0 and rows[site][4].endswith("%")
    months = _rows(page.get_by_role("table", name="People heard from each month, by first channel"))
    assert len(months) == 12 and all(int(cells[-1]) > 0 for cells in months.values())
    assert violations(page, WCAG_AA) == []
    screenshot(page, "reach-people", area="console")
    page.set_viewport_size({"width": 1366, "height": 768})
    screenshot(page, "reach-people-1366", area="console", full_page=False)
    page.set_viewport_size({"width": 1920, "height": 1080})
    screenshot(page, "reach-people-1920", area="console", full_page=False)
    page.emulate_media(media="print")
    screenshot(page, "reach-people-print", area="console")
    page.emulate_media(media="screen")
    # Its CSV says the same, hidden the same way.
    link = page.get_by_role("link", name="Download people reached (CSV)")
    path = downloaded(page, link, tmp_path)
    text = path.read_text(encoding="utf-8-sig")
    assert path.name.startswith("people-reached-")
    assert f"Eastfield Depot,640,{rows['Eastfield Depot'][1]}," in text


def test_an_admin_filters_the_reach_table_and_downloads_it(page, live, tmp_path):
    email = "reach@northgate.example"
    sign_in(page, email, manager_secret(live.database, live.org_id, email, ("admin", None, None)))
    page.get_by_role("link", name="Reach", exact=True).click()
    table = page.get_by_role("table", name="Reach by network")
    expect(table).to_be_visible()
    # The demo's history: Careers Network has joins in the last twelve months.
    expect(table.get_by_role("rowheader", name="Careers Network")).to_be_visible()
    assert violations(page, WCAG_AA) == []
    screenshot(page, "reach", area="console")
    page.get_by_label("Show a line for each").select_option(label="site")
    page.get_by_label("Channel", exact=True).select_option(label="Print")
    page.get_by_role("button", name="Show").click()
    table = page.get_by_role("table", name=re.compile("^Reach by site"))
    expect(table).to_be_visible()
    expect(table.get_by_role("rowheader", name="Eastfield Depot")).to_be_visible()
    path = downloaded(page, page.get_by_role("link", name="Download CSV", exact=True), tmp_path)
    assert path.name.startswith("reach-by-site-")
    text = path.read_text(encoding="utf-8-sig")
    assert text.startswith("Site,Members now,Joins") and "Eastfield Depot" in text
