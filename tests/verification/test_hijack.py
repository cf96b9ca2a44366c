"""The attack: a request queued "offline" for someone else's number takes their next YES.

Before: whoever held the public sealing key (printed on every public page) sealed a victim's
number, posted a join of the LGBT+ network to /kiosk/<site>/api/start, and the victim's YES,
meant for FORGET ME, joined them instead and erased nothing. Now a forged seal does not open
(it needs a paired kiosk PC's key), and even a real kiosk's request never touches the
conversation's open question: only a YES with its own number confirms it.
"""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select

from service.contacts.models import Contact, Membership
from service.contacts.operations import find_contact
from service.content.models import Network
from service.db import utcnow
from service.outbox.models import OutboundMessage
from service.verification.sealing import LIFETIME, aad, b64, unb64
from tests.support.kiosks import paired
from tests.support.sms import Handset

VICTIM = "+447400123456"


def _lgbt_join(session, key: str) -> dict:
    lgbt = session.scalar(select(Network.id).where(Network.slug == "lgbt"))
    return {
        "path": "start",
        "action": "join",
        "network": lgbt,
        "consent": True,
        "key": key,
        "lang": "en",
        "phone": "07400123456",
    }


def _forged(client, session, kiosk_id: int) -> dict:
    """What an attacker seals with only what a page shows: the server's key, the ids."""
    from service.verification.sealing import INFO, SUITE

    page = client.get("/kiosk/eastfield-depot/?lang=en").get_data(as_text=True)
    config = json.loads(re.search(r'id="flow-config">([^<]+)<', page).group(1))
    server = SUITE.kem.deserialize_public_key(unb64(config["sealKey"]))
    expires = int((utcnow() + LIFETIME).timestamp()) - 60
    enc, context = SUITE.create_sender_context(server, info=INFO)
    plain = json.dumps(_lgbt_join(session, "attack-forged-01")).encode()
    ct = context.seal(plain, aad=aad(config["org"], config["site"], kiosk_id, expires))
    return {"v": 2, "kiosk": kiosk_id, "exp": expires, "enc": b64(enc), "ct": b64(ct)}


def _yes_erases(victim: Handset, session, demo) -> None:
    """The victim's YES does what they were asked: erases them, and joins them to nothing."""
    assert victim.last("YES") == "Done. We have deleted everything we held about this number."
    assert find_contact(session, demo.id, VICTIM) is None
    assert session.scalar(select(func.count()).select_from(Membership)) == 0


def test_a_seal_forged_from_a_page_is_refused_and_the_yes_erases(client, demo, session):
    kiosk = paired(session, "eastfield-depot")
    victim = Handset(client, VICTIM)
    victim.send("JOIN CAREERS")
    assert "Reply YES" in victim.last("FORGET ME")
    sent_before = session.scalar(select(func.count()).select_from(OutboundMessage))
    forged = _forged(client, session, kiosk.kiosk_id)
    refused = client.post("/kiosk/eastfield-depot/api/queued", json={"sealed": forged})
    assert refused.status_code == 400
    # The old way in: a sealed number beside a plain join on the code step.
    old_way = client.post(
        "/kiosk/eastfield-depot/api/start", json={**_lgbt_join(session, "x" * 8), "sealed": forged}
    )
    assert old_way.status_code == 400
    assert session.scalar(select(func.count()).select_from(OutboundMessage)) == sent_before
    _yes_erases(victim, session, demo)


def test_a_queued_join_cannot_take_the_yes_meant_for_forget_me(client, demo, session):
    kiosk = paired(session, "eastfield-depot")
    victim = Handset(client, VICTIM)
    victim.send("JOIN CAREERS")
    assert "Reply YES" in victim.last("FORGET ME")
    # Someone at the depot's real kiosk types the victim's number while it is offline.
    sealed = kiosk.seal(_lgbt_join(session, "attack-00000001"))
    assert (
        client.post("/kiosk/eastfield-depot/api/queued", json={"sealed": sealed}).status_code == 200
    )
    # The victim answers the question they were asked, as they were asked to.
    _yes_erases(victim, session, demo)


def test_the_forget_me_number_erases_and_a_queued_join_stays_unconfirmed(client, demo, session):
    kiosk = paired(session, "eastfield-depot")
    victim = Handset(client, VICTIM)
    victim.send("HELLO")
    sealed = kiosk.seal(_lgbt_join(session, "attack-00000002"))
    assert (
        client.post("/kiosk/eastfield-depot/api/queued", json={"sealed": sealed}).status_code == 200
    )
    number = re.search(r"YES (\d{4})", victim.last("FORGET ME")).group(1)
    assert victim.last(f"YES {number}").startswith("Done. We have deleted everything")
    assert session.scalar(select(func.count()).select_from(Contact)) == 0
    assert session.scalar(select(func.count()).select_from(Membership)) == 0
