"""Issue 19 item 16 in Chromium: a lead finds "Posters" on their home and downloads their own."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from service.content.models import Network
from tests.support.browser import downloaded, screenshot
from tests.support.console_browser import WCAG_AA, manager_secret, sign_in
from tests.support.kiosk_browser import violations

pytestmark = pytest.mark.browser


def test_a_lead_downloads_their_networks_posters(page, live, tmp_path) -> None:
    with live.database.session() as session:
        minds = session.scalar(select(Network.id).where(Network.slug == "minds"))
    secret = manager_secret(
        live.database, live.org_id, "poster-lead@northgate.example", ("network_lead", minds, None)
    )
    sign_in(page, "poster-lead@northgate.example", secret)
    page.get_by_role("link", name="Print posters for a network").click()
    # expect() waits for the page the click opens; count() alone read the old page under load.
    networks = page.get_by_role("group", name="Networks").get_by_role("checkbox")
    expect(networks).to_have_count(1)  # only the network they lead is offered
    page.get_by_label("Minds Matter").check()
    page.get_by_label("For the noticeboard at").select_option(label="Riverside Depot")
    page.get_by_label("Polski").check()
    assert violations(page, WCAG_AA) == []
    screenshot(page, "lead-posters-form", area="console")
    button = page.get_by_role("button", name="Download the posters (PDF)")
    path = downloaded(page, button, tmp_path)
    assert path.name.startswith("posters-minds-")
    texts = [p.extract_text() for p in PdfReader(path).pages]
    assert len(texts) == 2
    assert "JOIN MINDS" in texts[0] and "Riverside Depot" in texts[0]
    assert all("CAREERS" not in t for t in texts)
