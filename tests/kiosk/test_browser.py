"""The kiosk in real Chromium: the join journey, forgetting each person, and the offline queue."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from service.contacts.models import Membership
from service.contacts.operations import find_contact
from service.content.models import Network
from tests.support.browser import screenshot
from tests.support.kiosk_browser import (
    E164,
    HOME,
    NUMBER,
    assert_no_number,
    open_join,
    type_digits,
    wait_until,
)
from tests.support.texts import code_in

pytestmark = pytest.mark.browser


def test_joining_a_private_network_end_to_end(page, live):
    open_join(page, "minds")
    # A sensitive network says what joining means before any code is sent.
    expect(page.get_by_role("heading", name="Before you join")).to_be_visible()
    assert live.texts_to(E164) == []
    page.get_by_role("button", name="I understand. Continue").click()
    type_digits(page, NUMBER)
    assert page.locator("[data-step=number] [data-entry]").inner_text() == "07400 123456"
    page.get_by_role("button", name="Send me a code").click()
    page.get_by_role("heading", name="Type the code we texted you").wait_for()
    assert "•••• ••• 456" in page.locator("[data-sent]").inner_text()
    assert "123456" not in page.locator("main").inner_text().replace(" ", "")
    texts = live.texts_to(E164)
    assert len(texts) == 1 and "Minds" not in texts[0]
    type_digits(page, code_in(texts[0]))
    page.get_by_role("button", name="Confirm").click()
    page.get_by_text("You have joined").wait_for()
    with live.database.session() as session:
        contact = find_contact(session, live.org_id, E164)
        joined = session.scalars(
            select(Network.slug).join(Membership).where(Membership.contact_id == contact.id)
        ).all()
        assert joined == ["minds"]
    # The journey is over: the number is gone from the page and everything the browser keeps.
    kept = assert_no_number(page)
    assert kept["history"] <= 2  # the first page load, and nothing the kiosk pushed


def test_idle_asks_then_resets_and_leaves_no_number_anywhere(page, live):
    page.clock.install()
    page.goto(f"{HOME}networks/careers?lang=pl")
    page.locator("[data-open]").click()
    type_digits(page, NUMBER)
    page.clock.fast_forward(59_000)
    assert page.locator("[data-still-there]").is_hidden()
    page.clock.fast_forward(2_000)
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_visible()
    assert "20" in dialog.inner_text()
    # One tap carries on, with what was typed still there.
    dialog.get_by_role("button").click()
    assert dialog.is_hidden()
    assert "07400" in page.locator("[data-step=number] [data-entry]").inner_text()
    page.clock.fast_forward(61_000)
    expect(dialog).to_be_visible()
    page.clock.run_for(21_000)
    # Back to the start, in the site's own language (Eastfield speaks English), forgetting all.
    page.wait_for_url(f"**{HOME}?lang=en")
    page.locator(".tiles").wait_for()
    assert_no_number(page)
    # Back leads only to where the browser started, never to the last person's screens.
    page.go_back()
    assert page.url in ("about:blank", f"{live.url}{HOME}?lang=en")
    assert NUMBER[1:] not in page.content()


def pair_this_pc(tab, live, site_slug: str = "eastfield-depot") -> None:
    """A site manager signs in on the kiosk PC, pairs it from the Kiosks page, signs out."""
    from service.organisations.models import Site
    from tests.support.console_browser import manager_secret, sign_in

    with live.database.session() as session:
        site = session.scalar(select(Site).where(Site.slug == site_slug))
        site_id, name = site.id, site.name
    email = f"kiosk-{site_slug}@northgate.example"
    role = ("site_manager", None, site_id)
    sign_in(tab, email, manager_secret(live.database, live.org_id, email, role))
    tab.goto("/console/kiosks")
    tab.get_by_role("button", name=f"Pair this PC as the kiosk at {name}").click()
    tab.get_by_text("Paired: this PC is kiosk").wait_for()
    tab.get_by_role("button", name="Sign out").click()


def test_a_join_made_offline_is_queued_sealed_and_replayed(page, live):
    number = "07400654321"
    # The kiosk seals an expiry from its own clock: the suite's moment, as the server's is.
    from service.db import utcnow

    page.clock.install(time=utcnow())
    pair_this_pc(page, live)
    open_join(page, "careers")
    # The service worker has the kiosk's files (the sealing library too) before the drop.
    wait_until(page, "() => navigator.serviceWorker.controller !== null")
    type_digits(page, number)
    page.context.set_offline(True)
    page.get_by_role("button", name="Send me a code").click()
    page.get_by_text("When it is back, we will text you").wait_for()
    assert live.texts_to("+447400654321") == []
    # Queued, but sealed whole: the next person at the PC cannot read the number, nor what was
    # asked for (the action, the network), nor where it goes beyond "queued".
    kept = assert_no_number(page, number)
    queued = [json.loads(records) for records in kept["idb"] if '"sealed"' in records]
    assert len(queued) == 1 and len(queued[0]) == 1
    record = queued[0][0]
    assert set(record) == {"key", "url", "body"} and record["url"].endswith("/api/queued")
    assert set(record["body"]["sealed"]) == {"v", "kiosk", "exp", "enc", "ct"}
    sealed = record["body"]["sealed"]
    # The ciphertext is random-looking base64; everything else is searched for the request.
    blob = json.dumps(kept["idb"]).replace(sealed["ct"], "").replace(sealed["enc"], "")
    readable = ("join", "careers", "Careers", "network", "consent", "action", "phone")
    assert not [word for word in readable if word in blob], blob
    page.context.set_offline(False)
    wait_until(page, "async () => (await window.Frontline.queue.all()).length === 0")
    texts = live.texts_to("+447400654321")
    assert len(texts) == 1 and re.search(r"Reply YES \d{4}", texts[0])


def test_an_unpaired_pc_keeps_nothing_offline(page, live):
    open_join(page, "careers")
    type_digits(page, "07400654322")
    page.context.set_offline(True)
    page.get_by_role("button", name="Send me a code").click()
    page.get_by_text("There is no connection just now. Please try again later.").wait_for()
    assert page.evaluate("async () => (await window.Frontline.queue.all()).length") == 0
    page.context.set_offline(False)


def test_content_pages_keep_showing_when_the_network_drops(page, live):
    page.goto(f"{HOME}?lang=en")
    wait_until(page, "() => navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    page.goto(f"{HOME}support?lang=pl")
    assert page.locator("html").get_attribute("lang") == "pl"
    assert page.locator(".line.crisis").count() >= 1
    expect(page.locator("[data-offline]")).to_be_visible()
    page.context.set_offline(False)


def test_links_replace_history_so_back_leads_nowhere(page, live):
    page.goto(f"{HOME}?lang=en")
    start = page.evaluate("history.length")
    for name in ("Networks", "Start", "What's on", "Start", "Get support"):
        page.get_by_role("link", name=re.compile(name)).first.click()
        page.wait_for_load_state()
    assert page.evaluate("history.length") == start


@pytest.mark.parametrize("lang", ["en", "pl", "ur"])
def test_screenshots_and_layout(page, live, lang):
    for name, path in [("home", ""), ("network", "networks/minds"), ("support", "support")]:
        page.goto(f"{HOME}{path}?lang={lang}")
        page.wait_for_load_state("networkidle")
        screenshot(page, f"{name}-{lang}")
    page.goto(f"{HOME}?lang={lang}")
    start = page.locator(".bar a").first.bounding_box()
    language = page.locator(".bar a[href*='language']").bounding_box()
    # Urdu mirrors: the start button sits on the right, the language button on the left.
    assert (start["x"] > language["x"]) == (lang == "ur")


def test_touch_targets_are_big_enough(page, live):
    for path in ("", "networks", "networks/minds", "support"):
        page.goto(f"{HOME}{path}?lang=en")
        if path == "networks/minds":
            page.locator("[data-open]").click()
            page.locator("[data-agree]").click()
        small = page.evaluate("""() => [...document.querySelectorAll('a, button')]
          .filter((e) => e.offsetParent !== null)
          .map((e) => [e.textContent.trim(), e.getBoundingClientRect()])
          .filter(([, r]) => r.height < 44 || r.width < 44).map(([t]) => t)""")
        assert small == [], (path, small)
        big = page.evaluate("""() => [...document.querySelectorAll('.big, .tile, .key, .card')]
          .filter((e) => e.offsetParent !== null)
          .map((e) => e.getBoundingClientRect().height)""")
        assert big and min(big) >= 64, (path, min(big or [0]))


def test_two_hundred_percent_zoom_needs_no_sideways_scrolling(browser, live):
    context = browser.new_context(viewport={"width": 640, "height": 512}, base_url=live.url)
    tab = context.new_page()
    for lang in ("en", "ur"):
        for path in ("", "networks/minds", "support", "events"):
            tab.goto(f"{HOME}{path}?lang={lang}")
            if path == "networks/minds":
                tab.locator("[data-open]").click()
                tab.locator("[data-agree]").click()
            width = tab.evaluate("[document.documentElement.scrollWidth, innerWidth]")
            assert width[0] <= width[1], (lang, path, width)
    context.close()


def test_an_idle_kiosk_shows_new_content_by_itself(page, live):
    import datetime as dt

    from service.content import notices
    from service.db import utcnow
    from service.organisations.models import Organisation

    page.clock.install()
    page.goto(f"{HOME}?lang=en")
    assert page.get_by_text("Depot open day on Saturday").count() == 0
    with live.database.session() as session:
        org = session.get_one(Organisation, live.org_id)
        notices.create_announcement(
            session,
            org,
            body="Depot open day on Saturday",
            publish_from=utcnow() - dt.timedelta(minutes=1),
        )
    # Nobody touches the screen: no "Still there?" on the start screen, and within a minute
    # the news is up.
    page.clock.fast_forward(61_000)
    page.get_by_text("Depot open day on Saturday").wait_for(timeout=10_000)
    assert page.locator("[data-still-there]").is_hidden()
