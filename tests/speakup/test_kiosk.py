"""Speak up at the kiosk: a code back, the case opened with it, and nothing left behind."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from service.contacts.models import Contact
from service.speakup import operations as speakup
from service.speakup.models import SpeakUpCase
from tests.support.speakup import KIOSK, raise_at_kiosk

CODE = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$")


def test_a_concern_at_the_kiosk_gets_a_code_and_no_cookie(client, demo, session):
    reply = raise_at_kiosk(client)
    assert reply.status_code == 200
    assert CODE.match(reply.get_json()["code"])
    assert reply.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in reply.headers
    case = session.scalars(select(SpeakUpCase)).one()
    assert case.channel == "kiosk"
    assert session.scalar(select(func.count()).select_from(Contact)) == 0


def test_the_kiosk_opens_a_case_adds_more_and_shows_replies(client, demo, session):
    code = raise_at_kiosk(client).get_json()["code"]
    case = session.scalars(select(SpeakUpCase)).one()
    speakup.reply(
        session,
        case,
        "Thank you, I have asked for the brakes to be checked.",
        case.last_activity_at,
    )
    opened = client.post(
        f"{KIOSK}/api/case", json={"code": code.lower(), "text": "It happened again today."}
    )
    assert opened.get_json() == {
        "added": True,
        "closed": False,
        "crisis": False,
        "replies": [{"text": "Thank you, I have asked for the brakes to be checked.", "new": True}],
    }
    again = client.post(f"{KIOSK}/api/case", json={"code": code}).get_json()
    assert again["replies"][0]["new"] is False and again["added"] is False


def test_the_kiosk_refuses_bad_input_politely_in_the_persons_language(client, demo, session):
    empty = client.post(f"{KIOSK}/api/speak-up", json={"text": "  ", "lang": "pl"})
    assert empty.status_code == 400 and empty.get_json()["error"]
    assert client.post(f"{KIOSK}/api/speak-up", data="not json").status_code == 400
    wrong = client.post(f"{KIOSK}/api/case", json={"code": "0000-0000-0000-0000"})
    assert wrong.status_code == 404
    assert wrong.get_json()["error"] == "That code does not match a case. Check it and try again."
    assert session.scalar(select(func.count()).select_from(SpeakUpCase)) == 0


def test_one_kiosk_cannot_flood_the_guardian(client, demo, session):
    for n in range(speakup.NEW_CASES_PER_HOUR):
        assert raise_at_kiosk(client, f"Concern {n}").status_code == 200
    assert raise_at_kiosk(client, "One more").status_code == 429
    assert (
        session.scalar(select(func.count()).select_from(SpeakUpCase)) == speakup.NEW_CASES_PER_HOUR
    )


def test_a_concern_in_crisis_is_flagged_for_the_crisis_line_first(client, demo):
    ordinary = raise_at_kiosk(client)
    assert ordinary.get_json()["crisis"] is False
    in_crisis = raise_at_kiosk(client, "My manager shouts at me and I want to end my life")
    assert in_crisis.status_code == 200
    assert in_crisis.get_json()["crisis"] is True
    page = client.get(f"{KIOSK}/speak-up?lang=en").get_data(as_text=True)
    # The crisis box the page shows is there, with the crisis line's number, hidden until then.
    assert "data-crisis hidden" in page
    assert "If you are in danger now, call 999." in page
