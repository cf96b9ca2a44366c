"""The attack: a request queued "offline" for someone else's number takes their next YES.

Before: whoever held the public sealing key sealed a victim's number, posted a join of the LGBT+
network to /kiosk/<site>/api/start, and the victim's YES (meant for FORGET ME) joined them
instead and erased nothing. Now a queued request never touches the conversation's open
question, and only a YES with its own number confirms it.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from service.contacts.models import Contact, Membership
from service.contacts.operations import find_contact
from service.content.models import Network
from service.verification.sealing import seal
from tests.conftest import TEST_DATA_KEY
from tests.sms.conftest import Handset

KIOSK = "/kiosk/eastfield-depot/api/start"
VICTIM = "+447400123456"


def _join_lgbt_for(client, session, key: str) -> None:
    lgbt = session.scalar(select(Network.id).where(Network.slug == "lgbt"))
    body = {
        "action": "join",
        "network": lgbt,
        "consent": True,
        "key": key,
        "lang": "en",
        "sealed": seal(TEST_DATA_KEY, {"phone": "07400123456"}),
    }
    client.post(KIOSK, json=body)


def test_a_queued_join_cannot_take_the_yes_meant_for_forget_me(client, demo, session):
    victim = Handset(client, VICTIM)
    victim.send("JOIN CAREERS")
    assert "Reply YES" in victim.last("FORGET ME")
    _join_lgbt_for(client, session, "attack-00000001")
    # The victim answers the question they were asked, as they were asked to.
    assert victim.last("YES") == "Done. We have deleted everything we held about this number."
    assert find_contact(session, demo.id, VICTIM) is None
    assert session.scalar(select(func.count()).select_from(Membership)) == 0


def test_the_forget_me_number_erases_and_a_queued_join_stays_unconfirmed(client, demo, session):
    victim = Handset(client, VICTIM)
    victim.send("HELLO")
    _join_lgbt_for(client, session, "attack-00000002")
    number = re.search(r"YES (\d{4})", victim.last("FORGET ME")).group(1)
    assert victim.last(f"YES {number}").startswith("Done. We have deleted everything")
    assert session.scalar(select(func.count()).select_from(Contact)) == 0
    assert session.scalar(select(func.count()).select_from(Membership)) == 0
