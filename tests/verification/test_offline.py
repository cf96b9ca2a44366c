"""Requests a kiosk queued while offline: sealed numbers, replayed once, confirmed by YES."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from service.contacts.models import Membership
from service.contacts.operations import find_contact
from service.content.models import Network
from service.outbox.models import OutboundMessage
from service.verification.sealing import SealError, open_sealed, public_key, seal
from tests.conftest import TEST_DATA_KEY
from tests.sms.conftest import Handset
from tests.verification.conftest import texts_to

KIOSK = "/kiosk/eastfield-depot/api/start"


def test_a_sealed_value_opens_only_with_the_data_key():
    sealed = seal(TEST_DATA_KEY, {"phone": "07400123456"})
    assert "07400123456" not in str(sealed)
    assert open_sealed(TEST_DATA_KEY, sealed) == {"phone": "07400123456"}
    with pytest.raises(SealError):
        open_sealed("another-key", sealed)
    tampered = dict(sealed, ct=sealed["ct"][:-2] + ("AA" if sealed["ct"][-2:] != "AA" else "BB"))
    with pytest.raises(SealError):
        open_sealed(TEST_DATA_KEY, tampered)
    with pytest.raises(SealError):
        open_sealed(TEST_DATA_KEY, {"epk": "x"})
    # The page gets the public half, 65 raw bytes of an uncompressed P-256 point.
    assert len(public_key(TEST_DATA_KEY)) == 87


def network_id(session, slug):
    return session.scalar(select(Network.id).where(Network.slug == slug))


def test_a_replayed_offline_join_is_confirmed_by_replying_yes(client, demo, session, vault):
    body = {
        "action": "join",
        "network": network_id(session, "minds"),
        "consent": True,
        "key": "offline-join-0001",
        "lang": "en",
        "sealed": seal(TEST_DATA_KEY, {"phone": "07400123456"}),
    }
    first = client.post(KIOSK, json=body)
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["by_reply"] is True
    # The kiosk replays again when it is not sure the first one arrived: still one text.
    again = client.post(KIOSK, json=body)
    assert again.get_json()["token"] == first.get_json()["token"]
    contact = find_contact(session, demo.id, "+447400123456")
    texts = texts_to(session, vault, contact.id)
    assert len(texts) == 1
    assert "Minds" not in texts[0]  # a private group is not named
    number = re.search(r"Reply YES (\d{4})", texts[0]).group(1)
    assert session.scalar(select(func.count()).select_from(Membership)) == 0
    # A bare YES never confirms a question a kiosk asked: it needs the number in the text.
    handset = Handset(client)
    assert "reply YES and the number" in handset.send("yes").text
    assert session.scalar(select(func.count()).select_from(Membership)) == 0
    reply = handset.send(f"yes {number}")
    assert reply.status == 200 and reply.texts[-1] == "Done. Thank you."
    membership = session.scalar(select(Membership).where(Membership.contact_id == contact.id))
    assert membership is not None and membership.channel == "kiosk"
    assert membership.consent_version is not None


def test_a_queued_request_that_does_not_open_changes_nothing(client, demo, session):
    body = {
        "action": "join",
        "network": network_id(session, "careers"),
        "key": "offline-join-0002",
        "sealed": {"epk": "AAAA", "iv": "AAAA", "ct": "AAAA"},
    }
    response = client.post(KIOSK, json=body)
    assert response.status_code == 400
    assert session.scalar(select(func.count()).select_from(OutboundMessage)) == 0
