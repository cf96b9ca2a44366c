"""Console journeys in real Chromium: edit an event in two languages; send a broadcast and
watch it finish against a fake Twilio, with a worker and delivery reports running beside it."""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from twilio.request_validator import RequestValidator
from werkzeug.serving import make_server

from service import create_app
from service.contacts.operations import join_network
from service.content.models import Event, Network, Translation
from service.db import get_database, utcnow
from service.organisations.models import Organisation
from service.organisations.operations import organisation_by_slug
from service.outbox.sending import send_one
from service.twilio_gateway import TwilioTransport
from tests.support import factories
from tests.support.browser import demo_database, screenshot, watched_tab
from tests.support.console_browser import manager_secret, sign_in
from tests.support.fake_twilio import FakeTwilio
from tests.support.kiosk_browser import violations, wait_until
from tests.support.settings import app_config

pytestmark = pytest.mark.browser

ACCOUNT = "AC" + "0" * 32
TOKEN = "journey-auth-token"


class Service:
    """The service on a real port, a worker thread sending its outbox, and a phone network
    that reports each text delivered a moment after Twilio accepts it."""

    def __init__(self, folder, fake: FakeTwilio) -> None:
        with socket.socket() as probe:  # the port goes into PUBLIC_URL, which Twilio signs
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        url = demo_database(folder / "journeys.db")
        self.config = app_config(
            folder,
            url,
            PUBLIC_URL=self.url,
            DEV_TOOLS=False,
            QUEUE_IMMEDIATE=True,
            ARGON2_PROFILE="cheapest",
            TWILIO_ACCOUNT_SID=ACCOUNT,
            TWILIO_AUTH_TOKEN=TOKEN,
            TWILIO_FROM_NUMBER="+441134960000",
            TWILIO_API_URL=fake.url,
            SMS_SEND_RATE=0,
        )
        self.app = create_app(self.config)
        self.database = get_database(self.app)
        self.queue: list[int] = []
        # Committed outbox rows come to this test's worker instead of huey.
        self.database.queue = self.queue.extend
        self.database.sessionmaker.configure(info=self.database.session_info())
        self.fake = fake
        self.stop = threading.Event()
        self.errors: list[str] = []
        with self.app.app_context(), self.database.session() as session:
            self.org_id = organisation_by_slug(session, "northgate").id
            self.minds_id = session.scalar(select(Network.id).where(Network.slug == "minds"))
        self.server = make_server("127.0.0.1", port, self.app, threaded=True)

    def work(self) -> None:
        """The worker: one text every 150 ms, slow enough to watch the counts move."""
        transport = TwilioTransport(self.config, timeout=2)
        template = self.url + "/twilio/sms/status?outbox_id={id}"
        while not self.stop.is_set():
            if not self.queue:
                time.sleep(0.05)
                continue
            outbox_id = self.queue.pop(0)
            try:
                with self.app.app_context():
                    send_one(
                        self.database.session, outbox_id, self.config, transport, utcnow, template
                    )
            except Exception as exc:  # a test failure, reported by the journey
                self.errors.append(repr(exc))
            time.sleep(0.15)

    def carrier(self) -> None:
        """Delivery reports, signed as Twilio signs them, for every text the fake accepted."""
        import urllib.parse
        import urllib.request

        reported = 0
        while not self.stop.is_set():
            if reported >= len(self.fake.sent):
                time.sleep(0.05)
                continue
            message = self.fake.sent[reported]
            reported += 1
            # Reports trail the sends (0.6 s each against 0.15 s a send), as a carrier's do: the
            # broadcast finishes sending long before the last text is reported delivered.
            time.sleep(0.6)
            form = {
                "MessageSid": message["sid"],
                "MessageStatus": "delivered",
                "AccountSid": ACCOUNT,
            }
            callback = message["StatusCallback"]
            signature = RequestValidator(TOKEN).compute_signature(callback, form)
            request = urllib.request.Request(
                callback,
                data=urllib.parse.urlencode(form).encode(),
                headers={"X-Twilio-Signature": signature},
            )
            urllib.request.urlopen(request, timeout=5).close()

    def __enter__(self) -> Service:
        for target in (self.server.serve_forever, self.work, self.carrier):
            threading.Thread(target=target, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()
        self.database.dispose()


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> Iterator[Service]:
    """The running service with its worker and a fake Twilio."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with FakeTwilio() as fake, Service(tmp_path_factory.mktemp("journeys"), fake) as running:
        yield running


@pytest.fixture
def tab(browser, service):
    """A browser tab on the service; page errors fail the test."""
    with watched_tab(browser, service.url, height=900) as page:
        yield page


def sign_in_as(tab, service: Service, email: str, role: tuple) -> None:
    """A new manager with a confirmed authenticator, signed in on the tab."""
    secret = manager_secret(service.database, service.org_id, email, role, enrolled=True)
    sign_in(tab, email, secret, enrolled=True)


def sign_in_as_lead(tab, service: Service, email: str) -> None:
    """A new Minds Matter lead, signed in on the tab."""
    sign_in_as(tab, service, email, ("network_lead", service.minds_id, None))


def test_edit_an_event_in_english_and_polish(tab, service):
    sign_in_as_lead(tab, service, "lead.events@northgate.example")
    tab.get_by_role("navigation", name="Console").get_by_role("link", name="Content").click()
    assert violations(tab) == []
    tab.get_by_role("link", name="Cuppa and chat").click()
    tab.get_by_label("Title").fill("Cuppa and cake")
    # Every other Tuesday: the next five dates change as the lead chooses, before saving.
    tab.get_by_label("Weekly").check()
    tab.get_by_label("How often").select_option(label="Every other week")
    # The day boxes by role and exact name: the page's "Skip Friday …" buttons say Friday too.
    tab.get_by_role("checkbox", name="Friday", exact=True).uncheck()
    tab.get_by_role("checkbox", name="Tuesday", exact=True).check()
    dates = tab.locator("#dates li")
    dates.first.filter(has_text="Tuesday").wait_for()
    assert dates.count() == 5
    assert all(t.startswith("Tuesday") for t in dates.all_inner_texts())
    assert violations(tab) == []
    screenshot(tab, "event-edit", area="console")
    tab.get_by_role("button", name="Save").click()
    assert tab.locator(".flash").inner_text() == "Saved Cuppa and cake."
    # The page's own link, not the menu's Translations (the review of every language).
    tab.locator("main").get_by_role("link", name="Translations").click()
    tab.get_by_role("link", name="Polski").click()
    title = tab.get_by_label("Title in Polish")
    title.fill("Herbatka i ciasto śliwkowe")
    # The segment counter answers as the lead types: ś sends the text as UCS-2.
    tab.locator("#title-segments").filter(has_text="UCS-2").wait_for()
    tab.locator("#reviewed-title").check()
    tab.get_by_role("button", name="Save the Polish text").click()
    assert tab.locator(".flash").inner_text() == "Saved the Polish text."
    preview = tab.get_by_role("region", name="In a text message").get_by_role("row", name="Polish")
    assert "Herbatka i ciasto śliwkowe" in preview.inner_text()
    assert violations(tab) == []
    screenshot(tab, "event-translation", area="console")
    with service.database.session() as session:
        event = session.scalar(select(Event).where(Event.title == "Cuppa and cake"))
        assert event.rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"
        polish = session.scalar(
            select(Translation).where(
                Translation.owner_id == event.id,
                Translation.field == "title",
                Translation.language == "pl",
            )
        )
        assert (polish.text, polish.reviewed) == ("Herbatka i ciasto śliwkowe", True)
    # The kiosk reads the same store: in Polish it shows the new title.
    tab.goto("/kiosk/eastfield-depot/events?lang=pl")
    expect(tab.get_by_text("Herbatka i ciasto śliwkowe").first).to_be_visible()


def test_send_a_broadcast_and_watch_it_finish(tab, service):
    with service.database.session() as session:
        org = session.scalar(select(Organisation).where(Organisation.slug == "northgate"))
        minds = session.scalar(select(Network).where(Network.slug == "minds"))
        for language in ("en", "en", "en", "pl", "pl", "so", "ur", "en"):
            contact = factories.create_contact(session, org=org, language=language)
            join_network(session, contact, minds, channel="kiosk", consent_version="v1")
    sign_in_as_lead(tab, service, "lead.news@northgate.example")
    tab.get_by_role("navigation", name="Console").get_by_role("link", name="Broadcasts").click()
    tab.get_by_role("link", name="Write a broadcast").click()
    tab.get_by_label("Message in English").fill("Cuppa and chat is in the yard this Friday.")
    tab.locator("#body-segments").filter(has_text="GSM-7: 1 SMS segment").wait_for()
    tab.get_by_label("Minds Matter").check()
    tab.get_by_text("Translations (optional)").click()
    tab.get_by_label("In Polish").fill("Herbatka w piątek jest na podwórku.")
    # Urgent, so a run at night is not held until 08:00 by quiet hours.
    tab.get_by_label("Urgent").check()
    assert violations(tab) == []
    tab.get_by_role("button", name="Preview").click()
    tab.get_by_role("heading", name="Preview").wait_for()
    assert "Recipients: 8 people." in tab.locator("main").inner_text()
    assert violations(tab) == []
    screenshot(tab, "broadcast-preview", area="console")
    assert service.fake.sent == []
    tab.get_by_role("button", name="Send to 8 people now").click()
    # The counts move by themselves while the worker sends and the reports come back.
    tab.get_by_role("status").filter(has_text="Finished: all 8 texts have left.").wait_for(
        timeout=20000
    )
    tab.locator('[data-count="delivered"]').filter(has_text="8").wait_for(timeout=20000)
    assert tab.locator('[data-count="failed"]').inner_text() == "0"
    expect(tab.get_by_role("button", name="Cancel the broadcast")).not_to_be_visible()
    screenshot(tab, "broadcast-finished", area="console")
    assert service.errors == []
    bodies = sorted(m["Body"] for m in service.fake.sent)
    assert len(bodies) == 8
    assert bodies.count("Umysł Się Liczy: Herbatka w piątek jest na podwórku.") == 2
    assert bodies.count("Minds Matter: Cuppa and chat is in the yard this Friday.") == 4


def test_a_keyword_clash_shows_as_you_type(tab, service):
    email = "lead.words@northgate.example"
    sign_in_as_lead(tab, service, email)
    tab.goto("/console/content")
    tab.get_by_role("link", name="Minds Matter").click()
    # console.js is deferred: typed before it has run, the word is never checked (as a person
    # typing that fast would see). CI's slow tier once typed into the field that early.
    tab.wait_for_url("**/console/content/network/*", wait_until="load")
    words = tab.get_by_label("Keywords in English")
    words.fill(words.input_value() + " CAREERS")
    problem = tab.locator('[data-keyword-problems="keywords_en"]')
    problem.filter(has_text="CAREERS is already a keyword of Careers Network").wait_for()
    assert words.get_attribute("aria-invalid") == "true"
    words.fill(words.input_value().replace(" CAREERS", ""))
    wait_until(tab, "!document.querySelector('[data-keyword-problems=keywords_en]').textContent")
    assert words.get_attribute("aria-invalid") == "false"
    assert violations(tab) == []


def test_the_guardian_answers_a_case_raised_at_a_kiosk(tab, service):
    import requests

    code = requests.post(
        f"{service.url}/kiosk/eastfield-depot/api/speak-up",
        json={"text": "Bullying on the late shift at the depot.", "lang": "en"},
        timeout=5,
    ).json()["code"]
    sign_in_as(tab, service, "guardian@northgate.example", ("guardian", None, None))
    tab.get_by_role("navigation", name="Console").get_by_role("link", name="Speak-up").click()
    assert violations(tab) == []
    tab.get_by_role("link", name=re.compile(r"Case \d+")).first.click()
    assert "Bullying on the late shift" in tab.locator(".thread").inner_text()
    tab.get_by_label("Your reply").fill("Thank you for telling me. Can you say which week?")
    tab.locator("#body-segments").filter(has_text="GSM-7").wait_for()
    assert violations(tab) == []
    screenshot(tab, "speak-up-case", area="console")
    tab.get_by_role("button", name="Send the reply").click()
    assert "Replied." in tab.locator(".flash").inner_text()
    answer = requests.post(
        f"{service.url}/kiosk/eastfield-depot/api/case", json={"code": code}, timeout=5
    ).json()
    assert answer["replies"] == [
        {"text": "Thank you for telling me. Can you say which week?", "new": True}
    ]


def test_an_admin_finds_exports_and_erases_a_number(tab, service, tmp_path):
    from pypdf import PdfReader

    with service.database.session() as session:
        org = session.scalar(select(Organisation).where(Organisation.slug == "northgate"))
        minds = session.scalar(select(Network).where(Network.slug == "minds"))
        contact = factories.create_contact(session, org=org, phone="+447400765432")
        join_network(session, contact, minds, channel="sms", consent_version="v1")
    sign_in_as(tab, service, "admin.privacy@northgate.example", ("admin", None, None))
    tab.get_by_role("navigation", name="Console").get_by_role("link", name="Privacy").click()
    tab.get_by_label("Phone number").fill("07400 765432")
    tab.get_by_role("button", name="Find").click()
    tab.get_by_role("button", name="Download to read (PDF)").wait_for()
    assert violations(tab) == []
    screenshot(tab, "privacy-person", area="console")
    with tab.expect_download() as download:
        tab.get_by_role("button", name="Download to read (PDF)").click()
    path = tmp_path / "held.pdf"
    download.value.save_as(path)
    assert "Minds Matter" in "\n".join(p.extract_text() for p in PdfReader(path).pages)
    # Erasing needs a tick that says it is the right person.
    tab.get_by_label("I have checked this is the person who asked").check()
    tab.get_by_role("button", name="Erase everything about this number").click()
    tab.locator(".flash").wait_for()
    with service.database.session() as session:
        from service.contacts.operations import find_contact

        assert find_contact(session, org.id, "+447400765432") is None


def test_a_lead_sees_their_network_and_lands_inside_the_console_when_refused(tab, service):
    sign_in_as_lead(tab, service, "lead.home@northgate.example")
    figures = tab.get_by_role("table")
    expect(figures.get_by_role("rowheader", name="Minds Matter")).to_be_visible()
    assert violations(tab) == []
    screenshot(tab, "lead-home", area="console")
    tab.goto("/console/content/networks/new")  # organisation-wide: admins only
    expect(tab.get_by_role("heading", name="Not allowed")).to_be_visible()
    tab.get_by_role("navigation", name="Console").get_by_role("link", name="Content").wait_for()
    assert violations(tab) == []
    screenshot(tab, "refused-403", area="console")
    tab.goto("/console/no-such-page")
    expect(tab.get_by_role("heading", name="Page not found")).to_be_visible()
    tab.get_by_role("link", name="Back to the console's home").click()
    tab.get_by_role("heading", name=re.compile("Hello")).wait_for()
