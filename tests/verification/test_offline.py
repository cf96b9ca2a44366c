"""Requests a kiosk queued while offline: sealed whole by a paired kiosk, replayed once,
confirmed by YES and the number in the text."""

from __future__ import annotations

import re

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import func, select

from service.contacts.models import Membership
from service.contacts.operations import find_contact
from service.content.models import Network
from service.db import utcnow
from service.outbox.models import OutboundMessage
from service.verification.sealing import SealError, open_sealed, public_key, raw_public_key, seal
from tests.support.kiosks import paired
from tests.support.settings import TEST_DATA_KEY
from tests.support.sms import Handset
from tests.support.texts import texts_to

EASTFIELD = "/kiosk/eastfield-depot/api/queued"
RIVERSIDE = "/kiosk/riverside-depot/api/queued"


def network_id(session, slug):
    return session.scalar(select(Network.id).where(Network.slug == slug))


def join(session, slug: str, key: str) -> dict:
    """A join request as the kiosk page seals it: everything, the number too."""
    return {
        "path": "start",
        "action": "join",
        "network": network_id(session, slug),
        "consent": True,
        "key": key,
        "lang": "en",
        "phone": "07400123456",
    }


def test_a_sealed_value_opens_only_with_the_data_key():
    kiosk = ec.generate_private_key(ec.SECP256R1())
    now = utcnow()
    where = {"org_id": 1, "site_id": 2}
    sealed = seal(
        TEST_DATA_KEY,
        {"phone": "07400123456", "action": "join", "network": 7},
        kiosk_private_key=kiosk,
        kiosk_id=3,
        expires=int(now.timestamp()) + 600,
        **where,
    )
    # Only the kiosk id and expiry are readable: not the number, nor what was asked for.
    assert set(sealed) == {"v", "kiosk", "exp", "enc", "ct"}
    assert "07400123456" not in str(sealed) and "join" not in str(sealed)
    opened = {"kiosk_public_key": raw_public_key(kiosk), "now": now, **where}
    assert open_sealed(TEST_DATA_KEY, sealed, **opened)["phone"] == "07400123456"
    with pytest.raises(SealError):
        open_sealed("another-key", sealed, **opened)
    tampered = dict(sealed, ct=sealed["ct"][:-2] + ("AA" if sealed["ct"][-2:] != "AA" else "BB"))
    with pytest.raises(SealError):
        open_sealed(TEST_DATA_KEY, tampered, **opened)
    with pytest.raises(SealError):
        open_sealed(TEST_DATA_KEY, {"v": 2, "kiosk": 3, "exp": 1, "enc": "x"}, **opened)
    # The page gets the server's public half, 65 raw bytes of an uncompressed P-256 point.
    assert len(public_key(TEST_DATA_KEY)) == 87


def test_a_replayed_offline_join_is_confirmed_by_yes_and_its_number(client, demo, session, vault):
    kiosk = paired(session, "eastfield-depot")
    body = {"sealed": kiosk.seal(join(session, "minds", "offline-join-0001"))}
    first = client.post(EASTFIELD, json=body)
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["by_reply"] is True
    # The kiosk replays again when it is not sure the first one arrived: still one text.
    again = client.post(EASTFIELD, json=body)
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


def _refused(client, session, path: str, sealed: dict) -> None:
    response = client.post(path, json={"sealed": sealed})
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"] == "bad_request"
    assert session.scalar(select(func.count()).select_from(OutboundMessage)) == 0


def test_a_blob_from_one_kiosk_is_refused_anywhere_else_or_late(client, demo, session):
    eastfield = paired(session, "eastfield-depot")
    riverside = paired(session, "riverside-depot")
    request = join(session, "careers", "offline-join-0002")
    lifted = eastfield.seal(request)
    # Replayed at the other depot's kiosk; or claimed for that kiosk's id; or sealed for it.
    _refused(client, session, RIVERSIDE, lifted)
    _refused(client, session, RIVERSIDE, dict(lifted, kiosk=riverside.kiosk_id))
    _refused(client, session, EASTFIELD, dict(lifted, kiosk=riverside.kiosk_id))
    _refused(client, session, EASTFIELD, eastfield.seal(request, site_id=riverside.site_id))
    _refused(client, session, EASTFIELD, eastfield.seal(request, org_id=demo.id + 1))
    # Another expiry than the one it was sealed with; out of date; or kept too long ahead.
    _refused(client, session, EASTFIELD, dict(lifted, exp=lifted["exp"] + 1))
    now = int(utcnow().timestamp())
    _refused(client, session, EASTFIELD, eastfield.seal(request, expires=now - 1))
    _refused(client, session, EASTFIELD, eastfield.seal(request, expires=now + 3 * 86400))
    # A kiosk that was unpaired (a PC replaced, lost or tampered with).
    from service.organisations.kiosk_keys import unpair_kiosks
    from service.organisations.models import Site

    unpair_kiosks(session, session.get_one(Site, eastfield.site_id))
    session.commit()
    _refused(client, session, EASTFIELD, lifted)


def test_a_queued_request_that_does_not_open_changes_nothing(client, demo, session):
    paired(session, "eastfield-depot")
    _refused(client, session, EASTFIELD, {"epk": "AAAA", "iv": "AAAA", "ct": "AAAA"})
    _refused(client, session, EASTFIELD, {"v": 2, "kiosk": 1, "exp": 1, "enc": "A", "ct": "A"})
    # A number sealed beside a plain request is no longer accepted on the code step either.
    plain = dict(join(session, "careers", "offline-join-0003"), sealed={"ct": "A"})
    response = client.post("/kiosk/eastfield-depot/api/start", json=plain)
    assert response.status_code == 400
    assert session.scalar(select(func.count()).select_from(OutboundMessage)) == 0


def test_a_queued_text_me_is_sent_once(client, demo, session, vault):
    kiosk = paired(session, "eastfield-depot")
    page = client.get("/kiosk/eastfield-depot/events?lang=en").get_data(as_text=True)
    event, stamp = re.search(r"/events/(\d+)/([^?\"]+)", page).groups()
    occurrence = client.get(f"/kiosk/eastfield-depot/events/{event}/{stamp}?lang=en")
    moment = re.search(r'data-occurrence="([^"]+)"', occurrence.get_data(as_text=True)).group(1)
    request = {"path": "text-me", "event": event, "occurrence": moment, "key": "offline-self-1"}
    sealed = {"sealed": kiosk.seal({**request, "lang": "en", "phone": "07400123456"})}
    for _ in range(2):
        assert client.post(EASTFIELD, json=sealed).status_code == 200
    # "Text me this" writes no contact: the text is found by the number.
    assert find_contact(session, demo.id, "+447400123456") is None
    assert len(texts_to(session, vault, "+447400123456")) == 1
