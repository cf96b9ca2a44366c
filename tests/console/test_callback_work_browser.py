"""A site manager works a call-back in Chromium: notes, an outcome, done and undo (issue 19 #14)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from service.callbacks.models import CallbackRequest
from service.callbacks.operations import request_callback
from service.contacts.operations import get_or_create_contact
from service.content.models import Network
from service.organisations.models import Organisation, Site
from tests.support.browser import screenshot
from tests.support.console import new_manager
from tests.support.console_browser import WCAG_AA, sign_in
from tests.support.kiosk_browser import violations

pytestmark = pytest.mark.browser


def test_a_site_manager_keeps_notes_records_outcomes_and_undoes_done(page, live):
    with live.database.session() as session:
        org = session.get_one(Organisation, live.org_id)
        riverside = session.scalar(select(Site.id).where(Site.slug == "riverside-depot"))
        careers = session.scalar(select(Network.id).where(Network.slug == "careers"))
        minds = session.scalar(select(Network.id).where(Network.slug == "minds"))
        manager = new_manager(
            session, org, "riverside@northgate.example", ("site_manager", None, riverside)
        )
        secret = manager.totp_secret
        mine, _ = get_or_create_contact(session, org.id, "+447400700001")
        row, _ = request_callback(
            session,
            mine,
            network_id=careers,
            channel="kiosk",
            site_id=riverside,
            language="pl",
            good_time="evening",
        )
        # A sensitive network's request from the same site: not for the site manager.
        other, _ = get_or_create_contact(session, org.id, "+447400700002")
        request_callback(session, other, network_id=minds, channel="sms", site_id=riverside)
        callback_id = row.id

    sign_in(page, "riverside@northgate.example", secret)
    page.get_by_role("link", name="Call-backs").click()
    entry = page.locator(f"#request-{callback_id}")
    expect(entry).to_contain_text("Evening")
    expect(entry).to_contain_text("in Polish")
    expect(entry).to_contain_text("Riverside Depot")
    assert "Minds Matter" not in page.content() and "002" not in page.inner_text("main")
    expect(page.get_by_text("E-mail alerts are off")).to_be_visible()

    page.get_by_label("Notes").fill("Works lates: try after 6pm. Speaks some English.")
    page.get_by_role("button", name="Save notes").click()
    expect(page.get_by_text("Notes saved.")).to_be_visible()
    expect(page.get_by_label("Notes")).to_have_value(
        "Works lates: try after 6pm. Speaks some English."
    )

    page.get_by_label("How did it go?").select_option(label="No answer")
    page.get_by_role("button", name="Save outcome").click()
    expect(page.get_by_text("Saved: No answer. It stays in the queue.")).to_be_visible()
    expect(entry).to_contain_text("Last call: No answer")
    assert violations(page, WCAG_AA) == []
    screenshot(page, "callbacks-outcome-open", area="console")

    page.get_by_label("How did it go?").select_option(label="Reached them")
    page.get_by_role("button", name="Save outcome").click()
    expect(page.get_by_text("Saved: Reached them. Marked done.")).to_be_visible()
    expect(page.get_by_text("Nobody is waiting for a call back.")).to_be_visible()
    done = page.locator("table.queue").last
    expect(done).to_contain_text("Reached them")
    expect(done).to_contain_text("Works lates")
    screenshot(page, "callbacks-outcome-done", area="console")

    done.get_by_role("button", name="Undo").click()
    expect(page.get_by_text("Undone: the request is waiting again.")).to_be_visible()
    expect(page.locator(f"#request-{callback_id}")).to_be_visible()
    with live.database.session() as session:
        back = session.get_one(CallbackRequest, callback_id)
        assert (back.status, back.outcome, back.closed_at) == ("open", None, None)
