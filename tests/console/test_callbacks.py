"""The call-back queue: who sees what, hidden numbers, audited reveals, bridged calls, voicemail."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from service.audit.models import AuditEntry
from service.callbacks import operations as callbacks
from service.callbacks.models import CallbackRequest
from service.contacts.operations import get_or_create_contact
from service.content.models import Network
from tests.support.fake_twilio import AUDIO, Answer, config_at_fake
from tests.support.settings import PUBLIC_URL
from tests.support.sms import signed_post

QUEUE = "/console/callbacks"
WORKER = "+447400123456"
WORKER_NATIONAL = "07400 123456"
LEAD_PHONE = "+447400654321"
ORG_NUMBER = "+441134960000"
ACCOUNT = "AC" + "0" * 32


config = config_at_fake()


def network_id(session, slug: str) -> int:
    return session.scalar(select(Network.id).where(Network.slug == slug))


def ask(session, org, slug: str | None, *, phone: str = WORKER, voicemail: str = "", age_h=1):
    """A member's request to the network (None: the organisation), optionally a voicemail."""
    contact, _ = get_or_create_contact(session, org.id, phone)
    row = CallbackRequest(
        organisation_id=org.id,
        contact_id=contact.id,
        network_id=network_id(session, slug) if slug else None,
        channel="voice" if voicemail else "sms",
        created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=age_h),
    )
    if voicemail:
        row.call_sid = "CA" + "1" * 32
        row.recording_sid = voicemail
        row.recording_url = (
            f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{voicemail}"
        )
        row.recording_seconds = 42
    session.add(row)
    session.flush()
    return row


@pytest.fixture
def queue(session, demo):
    """A voicemail for Minds Matter, a text for Carers, and one for the whole organisation."""
    return {
        "minds": ask(session, demo, "minds", voicemail="RE" + "a" * 32),
        "carers": ask(session, demo, "carers", phone="+447400111222"),
        "org": ask(session, demo, None, phone="+447400333444"),
    }


def signed_in(console, managers, role: str):
    manager = managers[role]
    console.sign_in(manager.email, manager.totp_secret)
    return manager


def audit_entries(session, action: str) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("network_lead", 200),
        ("site_manager", 200),  # their site's requests only: tests/console/test_callback_work.py
        ("support_team", 200),
        ("guardian", 403),
    ],
)
def test_who_may_open_the_queue(console, managers, queue, role, status):
    signed_in(console, managers, role)
    assert console.get(QUEUE).status_code == status


@pytest.mark.parametrize("role", ["site_manager", "guardian"])
def test_other_roles_cannot_act_on_a_request(console, managers, queue, role):
    signed_in(console, managers, role)
    minds = queue["minds"].id
    for action in ("reveal", "done", "call"):
        response = console.post(f"{QUEUE}/{minds}/{action}", {}, token_from="/console/")
        assert response.status_code == 403, action
    assert console.get(f"{QUEUE}/{minds}/recording").status_code == 403


def test_a_lead_sees_only_their_network_and_is_refused_the_rest(console, managers, queue, fake):
    signed_in(console, managers, "network_lead")
    page = console.get(QUEUE).get_data(as_text=True)
    assert "Minds Matter" in page
    assert "Carers Network" not in page and callbacks.ORGANISATION_WIDE not in page
    for other in (queue["carers"].id, queue["org"].id):
        for action in ("reveal", "done", "call"):
            response = console.post(f"{QUEUE}/{other}/{action}", {}, token_from=QUEUE)
            assert response.status_code == 403, (other, action)
        assert console.get(f"{QUEUE}/{other}/recording").status_code == 403
    assert queue["carers"].status == queue["org"].status == "open"
    assert fake.calls == [] and fake.fetched == []
    assert console.post(f"{QUEUE}/999999/reveal", {}, token_from=QUEUE).status_code == 404


def test_an_admin_sees_every_network_and_the_organisation_wide_requests(console, managers, queue):
    signed_in(console, managers, "admin")
    page = console.get(QUEUE).get_data(as_text=True)
    for name in ("Minds Matter", "Carers Network", callbacks.ORGANISATION_WIDE):
        assert name in page
    # Networks by name, the organisation's own requests last.
    assert page.index("Carers Network") < page.index("Minds Matter")
    assert page.index("Minds Matter") < page.index(callbacks.ORGANISATION_WIDE + " <span")


def test_numbers_are_hidden_until_revealed_and_the_reveal_is_audited(
    console, managers, queue, session
):
    lead = signed_in(console, managers, "network_lead")
    page = console.get(QUEUE).get_data(as_text=True)
    for form in (WORKER, WORKER_NATIONAL, WORKER[3:], WORKER_NATIONAL.replace(" ", "")):
        assert form not in page
    assert "•••• ••• 456" in page
    minds = queue["minds"].id
    shown = console.post(f"{QUEUE}/{minds}/reveal", {}, token_from=QUEUE)
    assert shown.status_code == 200
    assert WORKER_NATIONAL in shown.get_data(as_text=True)
    [entry] = audit_entries(session, "number.reveal")
    assert (entry.manager_id, entry.detail) == (lead.id, {"callback": minds})
    # The reveal is for that response only: the queue hides the number again.
    assert WORKER_NATIONAL not in console.get(QUEUE).get_data(as_text=True)


def test_mark_done_is_audited_once_and_can_be_repeated(console, managers, queue, session):
    lead = signed_in(console, managers, "network_lead")
    row = queue["minds"]
    first = console.post(f"{QUEUE}/{row.id}/done", {}, token_from=QUEUE)
    assert first.status_code == 302
    closed_at = row.closed_at
    assert (row.status, row.closed_by) == ("done", lead.id) and closed_at is not None
    again = console.post(f"{QUEUE}/{row.id}/done", {}, token_from=QUEUE)
    assert again.status_code == 302
    assert row.closed_at == closed_at
    [entry] = audit_entries(session, "callback.done")
    assert (entry.manager_id, entry.detail) == (lead.id, {"callback": row.id})
    page = console.get(QUEUE).get_data(as_text=True)
    done = page[page.index("Done in the last 30 days") :]
    assert "Minds Matter" in done and lead.email in done
    assert "Nobody is waiting for a call back." in page


def test_a_post_without_its_csrf_token_is_refused(console, managers, queue, client):
    signed_in(console, managers, "network_lead")
    response = client.post(f"{QUEUE}/{queue['minds'].id}/done", data={}, base_url=PUBLIC_URL)
    assert response.status_code == 400
    assert queue["minds"].status == "open"


def test_a_lead_with_no_phone_is_asked_for_one(console, managers, queue, fake):
    signed_in(console, managers, "network_lead")
    page = console.get(QUEUE).get_data(as_text=True)
    assert "Tell us which phone to ring" in page and 'name="phone"' in page
    response = console.post(f"{QUEUE}/{queue['minds'].id}/call", {}, token_from=QUEUE)
    assert response.status_code == 400
    assert "First tell us which phone to ring" in response.get_data(as_text=True)
    assert fake.calls == []
    refused = console.post(f"{QUEUE}/phone", {"phone": "07700 900123"}, token_from=QUEUE)
    assert refused.status_code == 400 and "not a number we can ring" in refused.get_data(
        as_text=True
    )


def test_call_back_rings_the_lead_then_bridges_to_the_member(
    console, managers, queue, session, fake, client
):
    lead = signed_in(console, managers, "network_lead")
    saved = console.post(f"{QUEUE}/phone", {"phone": "07400 654321"}, token_from=QUEUE)
    assert saved.status_code == 302
    assert "•••• ••• 321" in console.get(QUEUE).get_data(as_text=True)
    row = queue["minds"]
    response = console.post(f"{QUEUE}/{row.id}/call", {}, token_from=QUEUE)
    assert response.status_code == 302
    [call] = fake.calls
    assert (call["To"], call["From"]) == (LEAD_PHONE, ORG_NUMBER)
    url = call["Url"]
    assert url.startswith(PUBLIC_URL + "/twilio/voice/bridge?t=")
    assert not any(run in url for run in _digit_runs(WORKER, 4))
    assert (row.attempts, row.callback_call_sid) == (1, call["sid"])
    [entry] = audit_entries(session, "callback.call")
    assert entry.manager_id == lead.id and entry.detail["callback"] == row.id
    assert [e.detail for e in audit_entries(session, "manager.ring_phone")] == [{}]
    # The lead answers: Twilio fetches the URL it was given, signed, and gets the bridge.
    form = {"CallSid": call["sid"], "AccountSid": ACCOUNT, "From": ORG_NUMBER, "To": LEAD_PHONE}
    answered = signed_post(client, url.removeprefix(PUBLIC_URL), form)
    assert answered.status_code == 200
    twiml = ET.fromstring(answered.get_data(as_text=True))
    assert "Minds Matter" in twiml.find("Gather").find("Say").text
    # The lead presses 1 and the member is dialled.
    connect = twiml.find("Gather").get("action")
    pressed = signed_post(client, connect, {**form, "Digits": "1"})
    dial = ET.fromstring(pressed.get_data(as_text=True)).find("Dial")
    assert dial.get("callerId") == ORG_NUMBER and dial.find("Number").text == WORKER


def _digit_runs(number: str, size: int) -> list[str]:
    digits = re.sub(r"\D", "", number)
    return [digits[i : i + size] for i in range(len(digits) - size + 1)]


def test_twilio_refusing_the_call_leaves_the_request_untouched(
    console, managers, queue, session, fake
):
    signed_in(console, managers, "network_lead")
    console.post(f"{QUEUE}/phone", {"phone": "07400 654321"}, token_from=QUEUE)
    fake.script.append(Answer(status=500, code=20500))
    response = console.post(f"{QUEUE}/{queue['minds'].id}/call", {}, token_from=QUEUE)
    assert response.status_code == 502
    assert "did not place the call" in response.get_data(as_text=True)
    assert queue["minds"].attempts == 0 and audit_entries(session, "callback.call") == []


def test_a_done_request_is_not_called(console, managers, queue, fake):
    signed_in(console, managers, "network_lead")
    console.post(f"{QUEUE}/phone", {"phone": "07400 654321"}, token_from=QUEUE)
    console.post(f"{QUEUE}/{queue['minds'].id}/done", {}, token_from=QUEUE)
    response = console.post(f"{QUEUE}/{queue['minds'].id}/call", {}, token_from=QUEUE)
    assert response.status_code == 302 and fake.calls == []


def test_a_voicemail_streams_from_twilio_and_the_play_is_audited(
    console, managers, queue, session, fake, demo
):
    lead = signed_in(console, managers, "network_lead")
    row = queue["minds"]
    page = console.get(QUEUE).get_data(as_text=True)
    src = f"{QUEUE}/{row.id}/recording"
    assert f'<audio controls preload="none" src="{src}"' in page
    response = console.get(src)
    assert response.status_code == 200 and response.mimetype == "audio/mpeg"
    assert response.get_data() == AUDIO
    [fetched] = fake.fetched
    assert fetched["path"] == f"/2010-04-01/Accounts/{ACCOUNT}/Recordings/{row.recording_sid}.mp3"
    assert fetched["auth"].startswith("Basic ")
    [entry] = audit_entries(session, "recording.play")
    assert (entry.manager_id, entry.detail) == (lead.id, {"callback": row.id})
    # A request without a voicemail has nothing to play.
    plain = ask(session, demo, "minds", phone="+447400555666")
    assert console.get(f"{QUEUE}/{plain.id}/recording").status_code == 404


def test_credentials_never_leave_for_a_host_that_is_not_twilio(console, managers, queue, fake):
    signed_in(console, managers, "network_lead")
    queue["minds"].recording_url = "https://evil.example/Recordings/RE1"
    response = console.get(f"{QUEUE}/{queue['minds'].id}/recording")
    assert response.status_code == 502 and fake.fetched == []
