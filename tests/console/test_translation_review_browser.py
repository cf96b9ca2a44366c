"""The Translations pages in real Chromium: reachable from the menu, accessible, Somali noted."""

from __future__ import annotations

import pyotp
import pytest

from service import catalog_review
from service.managers.operations import create_manager
from service.organisations.models import Organisation
from tests.support.browser import ARTIFACTS, inject_axe
from tests.support.console import PASSWORD

pytestmark = pytest.mark.browser


def accessibility_problems(page) -> list[str]:
    inject_axe(page)
    return page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']}})).violations.map((v) => v.id)"
    )


def test_a_network_lead_sees_what_awaits_native_review(page, live):
    with live.database.session() as session:
        org = session.get_one(Organisation, live.org_id)
        manager = create_manager(
            session,
            org,
            email="words@northgate.example",
            password=PASSWORD,
            roles=[("network_lead", None, None)],
        )
        secret = manager.totp_secret
    page.goto("/console/sign-in")
    page.get_by_label("Email").fill("words@northgate.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm and sign in").click()
    page.get_by_role("link", name="Translations", exact=True).click()
    somali = next(s for s in catalog_review.statuses() if s.code == "so")
    row = page.get_by_role("row", name="Somali")
    assert row.get_by_role("cell").first.inner_text() == str(somali.count("crisis", reviewed=False))
    assert page.get_by_role("heading", name="Somali on the phone line").is_visible()
    assert accessibility_problems(page) == []
    shot = ARTIFACTS / "console" / "translations.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)  # to be looked at
    page.get_by_role("link", name="Somali", exact=True).click()
    first = page.get_by_role("heading", level=2).first
    assert first.inner_text() == "Recordings needed"
    crisis = page.get_by_role("heading", name="Crisis:")
    assert crisis.inner_text().startswith(
        f"Crisis: {somali.count('crisis', reviewed=False)} awaiting"
    )
    assert accessibility_problems(page) == []
    page.screenshot(path=str(ARTIFACTS / "console" / "translations-so.png"))
