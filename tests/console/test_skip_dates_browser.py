"""Issue 19 item 10 in Chromium: a lead skips a cuppa date, the kiosk drops it, Undo restores it."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from service.content import queries
from service.content.models import Event, Network
from service.db import utcnow
from service.formatting import when
from tests.support.browser import screenshot, watched_tab
from tests.support.console_browser import WCAG_AA, manager_secret, sign_in
from tests.support.kiosk_browser import violations

pytestmark = pytest.mark.browser


def test_a_lead_skips_a_date_in_the_console_and_the_kiosk_drops_it(browser, page, live) -> None:
    with live.database.session() as session:
        minds = session.scalar(select(Network.id).where(Network.slug == "minds"))
        cuppa = session.scalars(select(Event).where(Event.title == "Cuppa and chat")).one()
        now = utcnow()
        found = queries.upcoming_occurrences(
            session, live.org_id, start=now, end=now + dt.timedelta(days=14), language="en"
        )
        skipped = next(o for o in found if o.event_id == cuppa.id and o.starts_at > now)
        cuppa_id = cuppa.id
    secret = manager_secret(
        live.database, live.org_id, "skipper@northgate.example", ("network_lead", minds, None)
    )
    sign_in(page, "skipper@northgate.example", secret)
    page.goto(f"/console/content/event/{cuppa_id}")
    label = when(skipped.local_start, "en", style="EEEE d MMMM y, HH:mm")
    kiosk_line = when(skipped.local_start, "en")
    with watched_tab(browser, live.url, width=1920, height=1080) as kiosk:
        kiosk.goto("/kiosk/eastfield-depot/events")
        assert kiosk.get_by_text(kiosk_line, exact=False).count() >= 1

        page.get_by_role("button", name=f"Skip {label}").click()
        # The click posts a form: wait for the page it leads to, never read the old one.
        expect(page.locator(".flash").filter(has_text="Cuppa and chat is off on")).to_be_visible()
        skipped_list = page.locator("#skipped-dates")
        day = skipped.local_start.date()
        expect(skipped_list.get_by_text(f"{day:%A} {day.day} {day:%B %Y}")).to_be_visible()
        expect(page.get_by_role("button", name=f"Skip {label}")).to_have_count(0)
        assert violations(page, WCAG_AA) == []
        screenshot(page, "event-date-skipped", area="console")

        kiosk.reload()
        assert kiosk.get_by_text(kiosk_line, exact=False).count() == 0
        screenshot(kiosk, "whats-on-after-skip", area="kiosk")

        page.get_by_role("button", name="Undo:").first.click()
        expect(page.locator(".flash").filter(has_text="is on again")).to_be_visible()
        expect(page.get_by_role("button", name=f"Skip {label}")).to_be_visible()
        kiosk.reload()
        assert kiosk.get_by_text(kiosk_line, exact=False).count() >= 1
