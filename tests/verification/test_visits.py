"""One visit, one code (issue 19 item 5) and the text that says what was joined (item 6)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from sqlalchemy import select

from service.callbacks.models import CallbackRequest
from service.contacts.models import Membership
from service.contacts.operations import find_contact
from service.content import queries
from service.content.models import Network
from service.db import utcnow
from service.rsvps.models import Rsvp
from service.verification.visits import VISIT_IDLE, VISIT_LONGEST
from tests.support.texts import code_in, texts_to

KIOSK = "/kiosk/eastfield-depot/"
OTHER_KIOSK = "/kiosk/riverside-depot/"
NUMBER = "07400 123456"
E164 = "+447400123456"
# A refused request rolls back: the demo council must outlive it.
pytestmark = pytest.mark.usefixtures("demo_committed")


def network_id(session, slug: str) -> int:
    return session.scalar(select(Network.id).where(Network.slug == slug))


def occurrence(session, org_id: int, index: int = 0):
    now = utcnow()
    return queries.upcoming_occurrences(
        session, org_id, start=now, end=now + dt.timedelta(days=14), language="en"
    )[index]


def prove(client, session, vault, slug: str = "careers", *, consent=False) -> str:
    """Join at the kiosk with a texted code, as a person would; the visit's handle."""
    started = client.post(
        KIOSK + "api/start",
        json={
            "action": "join",
            "network": network_id(session, slug),
            "phone": NUMBER,
            "consent": consent,
            "lang": "en",
        },
    ).get_json()
    code = code_in(texts_to(session, vault, E164)[-1])
    done = client.post(KIOSK + "api/check", json={"token": started["token"], "code": code})
    assert done.status_code == 200 and done.get_json()["visit"] is True
    return started["token"]


def going(session, org_id: int, visit: str, index: int = 0) -> dict:
    o = occurrence(session, org_id, index)
    return {
        "visit": visit,
        "action": "rsvp",
        "event": o.event_id,
        "occurrence": o.starts_at.isoformat(),
        "lang": "en",
    }


def test_one_code_then_rsvp_call_back_and_text_me_need_none(client, demo, session, vault):
    # Before: joining, "I'm going" and a call back each sent a code; a fourth was refused.
    visit = prove(client, session, vault)
    assert len(texts_to(session, vault, E164)) == 2  # the code, and what was joined
    rsvp = client.post(KIOSK + "api/visit/act", json=going(session, demo.id, visit))
    assert rsvp.status_code == 200, rsvp.get_json()
    assert rsvp.get_json()["message"].startswith("You are going")
    call = client.post(
        KIOSK + "api/visit/act", json={"visit": visit, "action": "callback", "lang": "en"}
    )
    assert call.status_code == 200
    # "Text me this" three times: the hourly cap shields a number from strangers, not its owner.
    for index in range(3):
        o = occurrence(session, demo.id, index)
        sent = client.post(
            KIOSK + "api/visit/text-me",
            json={"visit": visit, "event": o.event_id, "occurrence": o.starts_at.isoformat()},
        )
        assert sent.status_code == 200, sent.get_json()
        assert "•" in sent.get_json()["message"]
    joined = client.post(
        KIOSK + "api/visit/act",
        json={"visit": visit, "action": "join", "network": network_id(session, "women")},
    )
    assert joined.status_code == 200
    contact = find_contact(session, demo.id, E164)
    codes = [t for t in texts_to(session, vault, E164) if "your code is" in t]
    assert len(codes) == 1
    assert session.scalar(select(Rsvp).where(Rsvp.contact_id == contact.id)) is not None
    assert (
        session.scalar(select(CallbackRequest).where(CallbackRequest.contact_id == contact.id))
        is not None
    )
    slugs = session.scalars(
        select(Network.slug).join(Membership).where(Membership.contact_id == contact.id)
    ).all()
    assert sorted(slugs) == ["careers", "women"]


def test_after_the_reset_the_next_person_needs_a_new_code(client, demo, session, vault):
    visit = prove(client, session, vault)
    assert client.post(KIOSK + "api/visit", json={"visit": visit}).status_code == 200
    reset = client.post(KIOSK + "reset", json={"visit": visit})
    assert reset.status_code == 204
    assert reset.headers["Clear-Site-Data"] == '"cache", "cookies"'
    # Whatever the next person at the PC finds, the handle proves nothing any more.
    for path, body in [
        ("api/visit", {"visit": visit}),
        ("api/visit/act", going(session, demo.id, visit)),
        ("api/visit/act", {"visit": visit, "action": "callback"}),
    ]:
        refused = client.post(KIOSK + path, json=body)
        assert refused.status_code == 401, path
        assert refused.get_json()["error"] == "visit_over"
        assert refused.headers["Cache-Control"] == "no-store"
        assert "Set-Cookie" not in refused.headers
    contact = find_contact(session, demo.id, E164)
    assert session.scalar(select(Rsvp).where(Rsvp.contact_id == contact.id)) is None


def test_a_visit_ends_by_itself_and_only_counts_at_its_own_kiosk(client, demo, session, vault):
    visit = prove(client, session, vault)
    # Another site's kiosk, the public pages' address or a handle not proven give nothing.
    assert client.post(OTHER_KIOSK + "api/visit", json={"visit": visit}).status_code == 401
    for handle in ("", "x" * 43, None, 7):
        assert client.post(KIOSK + "api/visit", json={"visit": handle}).status_code == 401
    started = client.post(
        KIOSK + "api/start",
        json={"action": "callback", "phone": "07400 654321", "lang": "en"},
    ).get_json()
    unproven = client.post(KIOSK + "api/visit", json={"visit": started["token"]})
    assert unproven.status_code == 401
    # Used now and then, it lasts; left alone for a few minutes, it is over.
    with time_machine.travel(utcnow() + VISIT_IDLE - dt.timedelta(seconds=10), tick=False):
        assert client.post(KIOSK + "api/visit", json={"visit": visit}).status_code == 200
    with time_machine.travel(utcnow() + VISIT_IDLE * 2 + dt.timedelta(seconds=1), tick=False):
        assert client.post(KIOSK + "api/visit", json={"visit": visit}).status_code == 401
    # However busy, a visit never outlasts its longest.
    visit = prove(client, session, vault, "women")
    start = utcnow()
    moment = start
    while moment < start + VISIT_LONGEST - dt.timedelta(minutes=1):
        moment += VISIT_IDLE - dt.timedelta(seconds=30)
        with time_machine.travel(moment, tick=False):
            answer = client.post(KIOSK + "api/visit", json={"visit": visit}).status_code
        assert answer == (200 if moment < start + VISIT_LONGEST else 401)
    with time_machine.travel(start + VISIT_LONGEST, tick=False):
        assert client.post(KIOSK + "api/visit", json={"visit": visit}).status_code == 401


def test_a_private_network_still_asks_consent_in_a_visit(client, demo, session, vault):
    visit = prove(client, session, vault)
    minds = network_id(session, "minds")
    refused = client.post(
        KIOSK + "api/visit/act", json={"visit": visit, "action": "join", "network": minds}
    )
    assert refused.status_code == 400 and refused.get_json()["error"] == "consent"
    joined = client.post(
        KIOSK + "api/visit/act",
        json={"visit": visit, "action": "join", "network": minds, "consent": True},
    )
    assert joined.status_code == 200
    assert joined.get_json()["message"].startswith("You have joined Minds")


def test_the_join_text_names_the_group_and_how_to_leave(client, demo, session, vault):
    # Before: the screen said "You have joined" and no text said what, or how to leave.
    prove(client, session, vault)
    joined = texts_to(session, vault, E164)[-1]
    assert "Careers" in joined and "LEAVE CAREERS" in joined
    # A private group: the discreet name and its number in the list, never the real name.
    client.post(KIOSK + "reset", json={})
    prove(client, session, vault, "minds", consent=True)
    private = texts_to(session, vault, E164)[-1]
    views = queries.networks(session, demo.id, "en")
    minds = next(n for n in views if n.slug == "minds")
    assert minds.discreet_name in private and "Minds" not in private
    assert f"LEAVE {views.index(minds) + 1}" in private
    # And in the member's language.
    find_contact(session, demo.id, E164).language = "pl"
    session.commit()
    prove(client, session, vault, "women")
    assert "You have joined" not in texts_to(session, vault, E164)[-1]
