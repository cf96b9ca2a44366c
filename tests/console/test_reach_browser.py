"""The reach dashboard in real Chromium: accessible, filtered, and downloaded as CSV."""

from __future__ import annotations

import pyotp
import pytest

from service.managers.operations import create_manager
from service.organisations.models import Organisation
from tests.support.browser import ARTIFACTS, inject_axe
from tests.support.console import PASSWORD

pytestmark = pytest.mark.browser


def test_an_admin_filters_the_reach_table_and_downloads_it(page, live, tmp_path):
    with live.database.session() as session:
        org = session.get_one(Organisation, live.org_id)
        manager = create_manager(
            session,
            org,
            email="reach@northgate.example",
            password=PASSWORD,
            roles=[("admin", None, None)],
        )
        secret = manager.totp_secret
    page.goto("/console/sign-in")
    page.get_by_label("Email").fill("reach@northgate.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm and sign in").click()
    page.get_by_role("link", name="Reach", exact=True).click()
    table = page.get_by_role("table", name="Reach by network")
    assert table.is_visible()
    # The demo's history: Careers Network has joins in the last twelve months.
    assert page.get_by_role("rowheader", name="Careers Network").is_visible()
    inject_axe(page)
    problems = page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']}})).violations.map((v) => v.id)"
    )
    assert problems == []
    shot = ARTIFACTS / "console" / "reach.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)  # to be looked at
    page.get_by_label("Show a line for each").select_option(label="site")
    page.get_by_label("Channel").select_option(label="Print")
    page.get_by_role("button", name="Show").click()
    assert page.get_by_role("table", name="Reach by site").is_visible()
    assert page.get_by_role("rowheader", name="Eastfield Depot").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name.startswith("reach-by-site-")
    text = path.read_text(encoding="utf-8-sig")
    assert text.startswith("Site,Members now,Joins") and "Eastfield Depot" in text
