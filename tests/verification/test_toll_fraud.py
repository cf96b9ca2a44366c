"""SMS pumping and toll fraud through the code step, tried as an attacker would, over HTTP.

Every text the kiosk and public pages send on someone's say-so is paid for by the
organisation; each test below is one way of making it pay for texts nobody wanted.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from service.contacts.models import Contact, Membership
from service.contacts.operations import find_contact, get_or_create_contact, opt_out
from service.content import queries
from service.content.models import Network
from service.organisations.models import Site
from service.organisations.operations import issue_kiosk_credential
from service.outbox.models import OutboundMessage
from service.verification import operations as ops
from tests.support.texts import code_in, texts_to

KIOSK = "/kiosk/eastfield-depot/api/"
WEB = "/o/northgate/api/"
MOBILE = "07400 123456"
E164 = "+447400123456"
# A refused request rolls back: the demo council must outlive it.
pytestmark = pytest.mark.usefixtures("demo_committed")


def careers(session) -> int:
    return session.scalar(select(Network.id).where(Network.slug == "careers"))


def join(client, session, phone: str, *, base=KIOSK, lang="en", address="10.0.0.7", headers=None):
    return client.post(
        base + "start",
        json={"action": "join", "network": careers(session), "phone": phone, "lang": lang},
        environ_base={"REMOTE_ADDR": address},
        headers=headers or {},
    )


def text_me(client, session, phone: str, *, address="10.0.0.7", headers=None, lang="en"):
    now = ops.utcnow()
    org_id = session.scalar(select(Site.organisation_id).where(Site.slug == "eastfield-depot"))
    occurrence = queries.upcoming_occurrences(
        session, org_id, start=now, end=now + dt.timedelta(days=14), language="en"
    )[0]
    return client.post(
        KIOSK + "text-me",
        json={
            "event": occurrence.event_id,
            "occurrence": occurrence.starts_at.isoformat(),
            "phone": phone,
            "lang": lang,
        },
        environ_base={"REMOTE_ADDR": address},
        headers=headers or {},
    )


def outbox(session) -> int:
    return session.scalar(select(func.count()).select_from(OutboundMessage))


def contacts(session) -> int:
    return session.scalar(select(func.count()).select_from(Contact))


# Before: every one of these was sent a code (200): they are valid numbers under +44, the
# calling code the service allowed, and nothing looked at the region or the kind of line.
PUMPED = [
    pytest.param("07624 123456", "country", id="Isle of Man mobile"),
    pytest.param("07797 123456", "country", id="Jersey mobile"),
    pytest.param("07781 123456", "country", id="Guernsey mobile"),
    pytest.param("020 7946 0000", "not_mobile", id="London landline"),
    pytest.param("0909 879 0000", "not_mobile", id="premium 09"),
    pytest.param("070 1123 4567", "not_mobile", id="personal 070"),
    # Before: a 500 (CountryNotServed escaped the handler).
    pytest.param("+48 512 345 678", "country", id="Poland"),
]


@pytest.mark.parametrize(("typed", "error"), PUMPED)
def test_pumped_numbers_are_refused_in_the_screens_language_and_sent_nothing(
    client, demo, session, typed, error
):
    for response in (
        join(client, session, typed, lang="pl"),
        join(client, session, typed, base=WEB, lang="pl"),
        text_me(client, session, typed, lang="pl"),
    ):
        assert response.status_code == 400, response.get_data(as_text=True)[:200]
        answer = response.get_json()
        assert answer["error"] == error
        english = join(client, session, typed, lang="en").get_json()["message"]
        assert answer["message"] != english  # Polish, not the English source
    assert outbox(session) == 0
    assert contacts(session) == 0


def test_a_uk_mobile_still_gets_its_code(client, demo, session, vault):
    assert join(client, session, MOBILE).status_code == 200
    assert len(texts_to(session, vault, E164)) == 1


def test_no_contact_is_written_until_the_code_matches(client, demo, session, vault):
    # Before: the request alone wrote a contact row for any number typed.
    started = join(client, session, MOBILE).get_json()
    text_me(client, session, "07400 654321")
    assert contacts(session) == 0
    assert outbox(session) == 2  # the code and the event's details are on their way regardless
    wrong = client.post(KIOSK + "check", json={"token": started["token"], "code": "000000"})
    assert wrong.status_code == 400 and contacts(session) == 0
    code = code_in(texts_to(session, vault, E164)[-1])
    done = client.post(KIOSK + "check", json={"token": started["token"], "code": code})
    assert done.get_json()["status"] == "done"
    contact = find_contact(session, demo.id, E164)
    assert contact is not None and contacts(session) == 1
    assert session.scalar(select(Membership.contact_id)) == contact.id
    # The code's text is now the contact's (erased with it); the other number's is not; the
    # text saying what was joined went to the new contact.
    rows = session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)).all()
    assert [(r.contact_id, r.to_encrypted is None) for r in rows] == [
        (contact.id, True),
        (None, False),
        (contact.id, True),
    ]


def test_text_me_is_limited_per_address(client, demo, session):
    # Before: "text me this" had no per-address limit; one script texted any list of numbers.
    for n in range(20):
        assert text_me(client, session, f"07400 2000{n:02d}").status_code == 200
    refused = text_me(client, session, "07400 200099")
    assert refused.status_code == 429 and refused.get_json()["error"] == "too_many"
    assert outbox(session) == 20
    # Another address is not held up.
    assert text_me(client, session, "07400 200099", address="10.0.0.8").status_code == 200


def test_codes_and_texts_to_one_number_are_capped_per_day(client, demo, session, monkeypatch):
    # Before: codes skipped the daily cap (only three an hour): 72 a day to one number.
    start = ops.utcnow()
    sent = 0
    for hour in range(6):
        monkeypatch.setattr(ops, "utcnow", lambda h=hour: start + dt.timedelta(hours=h, minutes=1))
        for _ in range(3):
            answer = join(client, session, MOBILE, address=f"10.0.1.{sent}")
            if answer.status_code == 200:
                sent += 1
            else:
                assert answer.status_code == 429 and answer.get_json()["error"] == "too_many"
                assert "today" in answer.get_json()["message"]
    assert sent == 10  # FRONTLINE_MAX_DAILY_TEXTS
    monkeypatch.setattr(ops, "utcnow", lambda: start + dt.timedelta(days=1, hours=1))
    assert join(client, session, MOBILE).status_code == 200


def test_too_many_requests_from_one_address_is_a_429_not_a_500(client, demo, session):
    for n in range(20):
        assert join(client, session, f"07400 3000{n:02d}", base=WEB).status_code == 200
    refused = join(client, session, "07400 300099", base=WEB, lang="so")
    # Before: TooManyRequests escaped the handler as a 500.
    assert refused.status_code == 429
    assert refused.get_json()["error"] == "too_many" and "Fadlan" in refused.get_json()["message"]


def site(session) -> Site:
    return session.scalar(select(Site).where(Site.slug == "eastfield-depot"))


def test_the_kiosks_higher_limit_needs_its_credential(client, demo, session):
    # Before: anyone on the internet who knew /kiosk/<site>/api/start had 200 codes an hour.
    for n in range(20):
        assert join(client, session, f"07400 4000{n:02d}").status_code == 200
    assert join(client, session, "07400 400099").status_code == 429
    forged = {"X-Kiosk-Credential": "guessed-credential"}
    assert join(client, session, "07400 400099", headers=forged).status_code == 429
    credential = issue_kiosk_credential(session, site(session))
    session.commit()
    registered = {"X-Kiosk-Credential": credential}
    for n in range(20, 40):
        assert join(client, session, f"07400 4000{n:02d}", headers=registered).status_code == 200
    assert text_me(client, session, "07400 400099", headers=registered).status_code == 200
    # A new credential retires the old one.
    issue_kiosk_credential(session, site(session))
    session.commit()
    assert join(client, session, "07400 400098", headers=registered).status_code == 429


def test_a_number_that_texted_stop_is_answered_like_any_other(client, demo, session, vault):
    stopped, _ = get_or_create_contact(session, demo.id, "+447400500001")
    opt_out(session, stopped)
    session.commit()
    before = outbox(session)
    answers = {}
    for phone in ("07400 500001", "07400 500002"):
        code = join(client, session, phone)
        text = text_me(client, session, phone)
        answers[phone] = [
            (r.status_code, sorted(r.get_json()), r.get_json()["message"].replace(phone[-3:], ""))
            for r in (code, text)
        ]
    # Before: 409 "This number asked us to stop texting it", which told anyone who typed a
    # colleague's number that they had opted out.
    assert answers["07400 500001"] == answers["07400 500002"]
    # Behind the scenes the opted-out number is sent nothing; the other gets both texts.
    assert outbox(session) - before == 2
    assert texts_to(session, vault, "+447400500001") == []
