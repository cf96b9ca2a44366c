"""The bridged call-back: Twilio fetches TwiML when the lead answers; the member is dialled."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from sqlalchemy import select

from service.callbacks import operations as callbacks
from service.callbacks.models import CallbackRequest
from service.contacts.operations import get_or_create_contact
from service.content.models import Network
from tests.support.settings import PUBLIC_URL
from tests.support.sms import DEMO_NUMBER, signed_post

SECRET = "test-secret-key"  # the test app's SECRET_KEY
WORKER = "+447400123456"
LEAD = "+447400654321"


@pytest.fixture
def request_row(session, demo) -> CallbackRequest:
    """An open request to Minds Matter from a worker."""
    contact, _ = get_or_create_contact(session, demo.id, WORKER)
    minds = session.scalar(select(Network.id).where(Network.slug == "minds"))
    row, _ = callbacks.request_callback(session, contact, network_id=minds, channel="sms")
    return row


def answer(client, token: str, *, signed: bool = True, step: str = "", **extra: str):
    """Twilio's request when the lead picks up the call the console placed (or, with
    step="/connect", when they then press a key)."""
    form = {
        "CallSid": "CA" + "9" * 32,
        "AccountSid": "AC" + "0" * 32,
        "From": DEMO_NUMBER,
        "To": LEAD,
        "CallStatus": "in-progress",
        "Direction": "outbound-api",
        **extra,
    }
    path = f"/twilio/voice/bridge{step}?t={quote(token)}"
    if signed:
        return signed_post(client, path, form)
    return client.post(
        path, data=form, headers={"X-Twilio-Signature": "forged"}, base_url=PUBLIC_URL
    )


def test_the_lead_hears_the_network_then_presses_1_and_the_member_is_dialled(client, request_row):
    token = callbacks.bridge_token(SECRET, request_row.id)
    response = answer(client, token)
    assert response.status_code == 200 and response.mimetype == "text/xml"
    twiml = ET.fromstring(response.get_data(as_text=True))
    # Nobody is dialled yet: a key press proves a person, not a voicemail, answered.
    assert [e.tag for e in twiml] == ["Gather", "Say", "Hangup"]
    gather = twiml.find("Gather")
    assert gather.find("Say").text == (
        "A member asked for a call back about Minds Matter. Press 1 to connect them now."
    )
    assert gather.get("numDigits") == "1"
    action = urlsplit(gather.get("action"))
    assert action.path == "/twilio/voice/bridge/connect"
    assert parse_qs(action.query) == {"t": [token]}
    assert WORKER not in response.get_data(as_text=True)
    pressed = answer(client, token, step="/connect", Digits="1")
    twiml = ET.fromstring(pressed.get_data(as_text=True))
    assert [e.tag for e in twiml] == ["Say", "Dial"]
    dial = twiml.find("Dial")
    assert dial.get("callerId") == DEMO_NUMBER
    assert [n.text for n in dial.iter("Number")] == [WORKER]
    assert dial.get("action").endswith("/twilio/voice/bridge/ended")


@pytest.mark.parametrize("digits", ["", "2", "*"])
def test_any_other_key_or_none_dials_nobody(client, request_row, digits):
    token = callbacks.bridge_token(SECRET, request_row.id)
    response = answer(client, token, step="/connect", Digits=digits)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "<Dial" not in text and "<Hangup" in text and WORKER not in text


def test_pressing_1_is_checked_like_the_answer(client, request_row):
    token = callbacks.bridge_token(SECRET, request_row.id)
    assert answer(client, token, step="/connect", signed=False, Digits="1").status_code == 403
    assert answer(client, "42", step="/connect", Digits="1").status_code == 400
    request_row.status = "done"
    closed = answer(client, token, step="/connect", Digits="1").get_data(as_text=True)
    assert "<Dial" not in closed and WORKER not in closed


def test_an_organisation_wide_request_names_no_network(client, session, request_row):
    request_row.network_id = None
    twiml = ET.fromstring(answer(client, callbacks.bridge_token(SECRET, request_row.id)).data)
    assert twiml.find("Gather").find("Say").text == (
        "A member asked for a call back. Press 1 to connect them now."
    )


def test_a_forged_request_is_refused(client, request_row):
    response = answer(client, callbacks.bridge_token(SECRET, request_row.id), signed=False)
    assert response.status_code == 403
    assert WORKER not in response.get_data(as_text=True)


def test_a_tampered_token_is_refused(client, request_row):
    token = callbacks.bridge_token(SECRET, request_row.id)
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "", "42"):
        response = answer(client, bad)
        assert response.status_code == 400
        assert "<Dial" not in response.get_data(as_text=True)
    other_secret = callbacks.bridge_token("another-secret", request_row.id)
    assert answer(client, other_secret).status_code == 400


def test_an_expired_token_is_refused(client, request_row, monkeypatch):
    past = time.time() - callbacks.BRIDGE_TOKEN_SECONDS - 5
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: past)
        token = callbacks.bridge_token(SECRET, request_row.id)
    response = answer(client, token)
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_a_request_marked_done_meanwhile_is_not_dialled(client, request_row):
    request_row.status = "done"
    response = answer(client, callbacks.bridge_token(SECRET, request_row.id))
    assert response.status_code == 200
    twiml = response.get_data(as_text=True)
    assert "<Dial" not in twiml and "<Hangup" in twiml and WORKER not in twiml


@pytest.mark.parametrize(
    ("status", "told"), [("no-answer", True), ("busy", True), ("completed", False)]
)
def test_the_lead_is_told_when_the_member_did_not_answer(client, demo, status, told):
    form = {
        "CallSid": "CA" + "9" * 32,
        "AccountSid": "AC" + "0" * 32,
        "From": DEMO_NUMBER,
        "To": LEAD,
        "DialCallStatus": status,
    }
    response = signed_post(client, "/twilio/voice/bridge/ended", form)
    assert response.status_code == 200
    twiml = ET.fromstring(response.get_data(as_text=True))
    assert (twiml.find("Say") is not None) is told
    assert twiml.find("Hangup") is not None


def test_the_end_of_a_dial_is_signature_checked(client, demo):
    response = client.post(
        "/twilio/voice/bridge/ended",
        data={"DialCallStatus": "completed"},
        headers={"X-Twilio-Signature": "forged"},
        base_url=PUBLIC_URL,
    )
    assert response.status_code == 403
