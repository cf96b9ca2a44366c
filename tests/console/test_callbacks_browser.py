"""A lead's call-back journey in Chromium, against a fake Twilio: reveal, play, call, done."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import expect
from sqlalchemy import select

from service.audit.models import AuditEntry
from service.callbacks.models import CallbackRequest
from service.contacts.operations import get_or_create_contact
from service.content.models import Network
from service.organisations.models import Organisation
from service.twilio_gateway import sign
from tests.support.browser import Live, screenshot, serve_demo
from tests.support.console import new_manager
from tests.support.console_browser import WCAG_AA, sign_in
from tests.support.fake_twilio import FakeTwilio
from tests.support.kiosk_browser import violations
from tests.support.settings import TEST_AUTH_TOKEN

pytestmark = pytest.mark.browser

ACCOUNT = "AC" + "0" * 32
WORKER = "+447400123456"
PUBLIC = "http://127.0.0.1"
RECORDINGS = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTwilio]:
    """The fake Twilio REST server the live service talks to."""
    with FakeTwilio() as server:
        yield server


@pytest.fixture(scope="module")
def live(tmp_path_factory, fake) -> Iterator[Live]:
    """Like the shared live server, but with a Twilio account whose API is the fake."""
    with serve_demo(
        tmp_path_factory.mktemp("live-callbacks"),
        PUBLIC_URL=PUBLIC,
        TWILIO_ACCOUNT_SID=ACCOUNT,
        TWILIO_AUTH_TOKEN=TEST_AUTH_TOKEN,
        TWILIO_API_URL=fake.url,
    ) as served:
        yield served


def test_a_lead_reveals_plays_calls_back_and_marks_done(page, live, fake):
    with live.database.session() as session:
        org = session.get_one(Organisation, live.org_id)
        minds = session.scalar(select(Network.id).where(Network.slug == "minds"))
        lead = new_manager(
            session,
            org,
            "lead@northgate.example",
            ("network_lead", minds, None),
            display_name="Sam (Minds Matter)",
        )
        secret, lead_id = lead.totp_secret, lead.id
        contact, _ = get_or_create_contact(session, org.id, WORKER)
        row = CallbackRequest(
            organisation_id=org.id,
            contact_id=contact.id,
            network_id=minds,
            channel="voice",
            call_sid="CA" + "1" * 32,
            recording_sid="RE" + "b" * 32,
            recording_url=f"{RECORDINGS}/RE{'b' * 32}",
            recording_seconds=34,
        )
        session.add(row)
        session.flush()
        callback_id = row.id

    sign_in(page, "lead@northgate.example", secret)
    page.get_by_role("link", name="Call-backs").click()
    # The click returns before the queue has loaded; reading the page then can see nothing.
    reveal = page.get_by_role("button", name="Reveal number")
    expect(reveal).to_be_visible()
    html = page.content()
    assert "•••• ••• 456" in html and WORKER not in html and "07400 123456" not in html
    reveal.click()
    expect(page.get_by_text("07400 123456")).to_be_visible()

    # The voicemail: the player points at the console, which streams the fake's MP3.
    audio = page.locator("audio")
    assert audio.get_attribute("src") == f"/console/callbacks/{callback_id}/recording"
    duration = audio.evaluate(
        """(a) => new Promise((ok, ko) => {
            a.onloadedmetadata = () => ok(a.duration);
            a.onerror = () => ko(new Error('audio: ' + (a.error && a.error.code)));
            a.preload = 'auto';
            a.load();
        })"""
    )
    assert duration > 0.5

    # No phone of their own yet: the console asks for it before it calls anyone.
    page.get_by_role("button", name="Call me and connect").click()
    expect(page.get_by_text("First tell us which phone to ring")).to_be_visible()
    page.get_by_label("Your phone number").fill("07400 654321")
    page.get_by_role("button", name="Save my phone").click()
    expect(page.locator(".flash").filter(has_text="we ring •••• ••• 321 first")).to_be_visible()
    page.get_by_role("button", name="Call me and connect").click()
    expect(page.get_by_text("We are ringing your phone now")).to_be_visible()
    [call] = fake.calls
    assert (call["To"], call["From"]) == ("+447400654321", "+441134960000")
    assert "123456" not in call["Url"]

    # Twilio, once the lead answers, fetches that URL (signed) and bridges the member.
    form = {"CallSid": call["sid"], "AccountSid": ACCOUNT, "From": call["From"], "To": call["To"]}
    bridged = requests.post(
        live.url + call["Url"].removeprefix(PUBLIC),
        data=form,
        headers={"X-Twilio-Signature": sign(call["Url"], form, TEST_AUTH_TOKEN)},
        timeout=5,
    )
    # The lead hears who is waiting and presses 1; only then is the member dialled.
    assert ET.fromstring(bridged.text).find("Dial") is None
    connect = ET.fromstring(bridged.text).find("Gather").get("action")
    pressed = {**form, "Digits": "1"}
    connected = requests.post(
        live.url + connect,
        data=pressed,
        headers={"X-Twilio-Signature": sign(PUBLIC + connect, pressed, TEST_AUTH_TOKEN)},
        timeout=5,
    )
    dial = ET.fromstring(connected.text).find("Dial")
    assert dial.get("callerId") == "+441134960000" and dial.find("Number").text == WORKER

    assert "Called back 1 time" in page.content()
    assert violations(page, WCAG_AA) == []
    screenshot(page, "callbacks-queue", area="console")

    page.get_by_role("button", name="Mark done").click()
    expect(page.get_by_text("Marked done.")).to_be_visible()
    expect(page.get_by_text("Nobody is waiting for a call back.")).to_be_visible()
    screenshot(page, "callbacks-done", area="console")

    with live.database.session() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.manager_id == lead_id)
        ).all()
    for action in ("number.reveal", "recording.play", "callback.call", "callback.done"):
        assert action in actions
