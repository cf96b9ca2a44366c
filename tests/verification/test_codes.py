"""Join, RSVP and call back with a typed number and a texted code: the rules people rely on."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, inspect, select

from service.callbacks.models import CallbackRequest
from service.contacts.models import Contact, Membership
from service.contacts.operations import ConsentRequired, find_contact, opt_out
from service.content import queries
from service.content.models import Network
from service.errors import InvalidPhoneNumber, NotFound
from service.outbox.models import OutboundMessage
from service.rsvps.models import Rsvp
from service.verification import operations as ops
from service.verification import text_me
from service.verification.models import PendingAction, RequestKey
from tests.support.texts import code_in, texts_to

NUMBER = "07400 123456"
KIOSK = ops.Asker("kiosk", "10.0.0.7", frozenset({"GB"}), per_hour=200)
E164 = "+447400123456"


def network(session, org, slug: str) -> Network:
    return session.scalar(
        select(Network).where(Network.organisation_id == org.id, Network.slug == slug)
    )


def start_join(
    session, org, slug="careers", *, phone=NUMBER, consent=False, key=None, language="en"
):
    target = ops.Target("join", network_id=network(session, org, slug).id, consent=consent)
    return ops.start_action(session, org, phone, target, asker=KIOSK, language=language, key=key)


def last_code(session, vault, org, phone=E164) -> str:
    return code_in(texts_to(session, vault, phone)[-1])


def test_a_code_is_texted_and_joins_once_it_matches(session, org, vault):
    started = start_join(session, org)
    assert started.masked == "•••• ••• 456"
    row = session.scalar(select(OutboundMessage).order_by(OutboundMessage.id.desc()))
    assert (row.kind, row.urgent) == ("code", True)  # never held back by quiet hours
    code = last_code(session, vault, org)
    checked = ops.check_code(session, org, started.token, code)
    assert checked.status == "done"
    contact = find_contact(session, org.id, E164)
    membership = session.scalar(select(Membership).where(Membership.contact_id == contact.id))
    assert membership.channel == "kiosk"
    assert membership.network_id == network(session, org, "careers").id
    # Typing the code again (a double tap, a replayed request) changes nothing.
    assert ops.check_code(session, org, started.token, code).status == "already"
    assert session.scalar(select(func.count()).select_from(Membership)) == 1


def test_the_code_is_never_stored_and_neither_is_the_number(session, org, vault):
    started = start_join(session, org)
    code = last_code(session, vault, org)
    action = session.scalar(select(PendingAction).where(PendingAction.token == started.token))
    values = [str(getattr(action, c.key)) for c in inspect(PendingAction).columns]
    assert not any(code in v or "7400123456" in v for v in values)


def test_five_wrong_tries_lock_the_code(session, org, vault):
    started = start_join(session, org)
    code = last_code(session, vault, org)
    wrong = "000000" if code != "000000" else "111111"
    lefts = [ops.check_code(session, org, started.token, wrong) for _ in range(5)]
    assert [c.tries_left for c in lefts] == [4, 3, 2, 1, 0]
    assert lefts[-1].status == "locked"
    # The right code is no use after that.
    assert ops.check_code(session, org, started.token, code).status == "locked"
    assert session.scalar(select(func.count()).select_from(Membership)) == 0


def test_a_code_runs_out_after_ten_minutes(session, org, vault, monkeypatch):
    started = start_join(session, org)
    code = last_code(session, vault, org)
    later = ops.utcnow() + dt.timedelta(minutes=10, seconds=1)
    monkeypatch.setattr(ops, "utcnow", lambda: later)
    assert ops.check_code(session, org, started.token, code).status == "expired"
    assert session.scalar(select(func.count()).select_from(Membership)) == 0


def test_three_codes_an_hour_per_number_and_others_are_not_affected(session, org, monkeypatch):
    for _ in range(3):
        start_join(session, org)
    with pytest.raises(ops.TooManyTexts):
        start_join(session, org)
    start_join(session, org, phone="07400 654321")  # someone else is not locked out
    later = ops.utcnow() + dt.timedelta(hours=1, seconds=1)
    monkeypatch.setattr(ops, "utcnow", lambda: later)
    start_join(session, org)


def test_a_sensitive_network_needs_consent_and_joins_discreetly(session, org, vault):
    with pytest.raises(ConsentRequired):
        start_join(session, org, "minds")
    started = start_join(session, org, "minds", consent=True)
    # The code text does not name the network.
    text = texts_to(session, vault, E164)[-1]
    assert "Minds" not in text and "MINDS" not in text
    assert ops.check_code(session, org, started.token, code_in(text)).status == "done"
    contact = find_contact(session, org.id, E164)
    membership = session.scalar(select(Membership).where(Membership.contact_id == contact.id))
    assert membership.consent_version and membership.consent_channel == "kiosk"
    assert contact.discreet is True


def test_a_number_that_texted_stop_is_sent_nothing_but_answered_alike(session, org):
    contact, _ = ops.contacts.get_or_create_contact(session, org.id, E164)
    opt_out(session, contact)
    started = start_join(session, org)
    assert started.masked == "•••• ••• 456" and started.token
    assert session.scalar(select(func.count()).select_from(OutboundMessage)) == 0


@pytest.mark.parametrize("typed", ["", "123", "07400", "not a number", "+1 555"])
def test_a_number_that_cannot_be_texted_is_refused(session, org, typed):
    with pytest.raises(InvalidPhoneNumber):
        start_join(session, org, phone=typed)
    assert session.scalar(select(func.count()).select_from(Contact)) == 0


def test_a_replayed_request_key_sends_one_code(session, org):
    first = start_join(session, org, key="kiosk-request-0001")
    again = start_join(session, org, key="kiosk-request-0001")
    assert again.token == first.token
    assert session.scalar(select(func.count()).select_from(OutboundMessage)) == 1
    assert session.scalar(select(func.count()).select_from(RequestKey)) == 1


def upcoming(session, org):
    now = ops.utcnow()
    found = queries.upcoming_occurrences(
        session, org.id, start=now, end=now + dt.timedelta(days=14), language="en"
    )
    return found[0]


def test_rsvp_and_callback_go_through_the_same_code_step(session, org, vault):
    occurrence = upcoming(session, org)
    started = ops.start_action(
        session,
        org,
        NUMBER,
        ops.Target("rsvp", event_id=occurrence.event_id, occurrence_start=occurrence.starts_at),
        asker=KIOSK,
        language="pl",
    )
    text = texts_to(session, vault, E164)[-1]
    assert "kod" in text  # the code text is in the language the person chose
    assert ops.check_code(session, org, started.token, code_in(text)).status == "done"
    assert session.scalar(select(Rsvp.occurrence_start)) == occurrence.starts_at
    called = ops.start_action(
        session, org, NUMBER, ops.Target("callback"), asker=KIOSK, language="en"
    )
    code = last_code(session, vault, org)
    assert ops.check_code(session, org, called.token, code).status == "done"
    assert session.scalar(select(CallbackRequest.channel)) == "kiosk"


def test_an_rsvp_for_a_date_the_event_does_not_have_is_refused(session, org):
    occurrence = upcoming(session, org)
    target = ops.Target(
        "rsvp",
        event_id=occurrence.event_id,
        occurrence_start=occurrence.starts_at + dt.timedelta(minutes=7),
    )
    with pytest.raises(NotFound):
        ops.start_action(session, org, NUMBER, target, asker=KIOSK, language="en")


def test_text_me_this_sends_the_details_and_counts_toward_the_hourly_limit(session, org, vault):
    occurrence = upcoming(session, org)
    # The same request twice (a replay) sends the text once.
    for _ in range(2):
        shown = text_me.text_occurrence(
            session,
            org,
            NUMBER,
            occurrence.event_id,
            occurrence.starts_at,
            language="en",
            asker=KIOSK,
            key="k" * 10,
        )
        assert shown.endswith("456")
    texts = texts_to(session, vault, E164)
    assert len(texts) == 1 and occurrence.title in texts[0]
    start_join(session, org)
    start_join(session, org)
    with pytest.raises(ops.TooManyTexts):
        start_join(session, org)


def test_a_number_in_a_country_not_served_is_told_so(session, org):
    with pytest.raises(ops.CountryNotServed):
        start_join(session, org, phone="+48 512 345 678")
    assert session.scalar(select(func.count()).select_from(Contact)) == 0


def test_one_browser_cannot_text_an_unlimited_list_of_numbers(session, org):
    careers = network(session, org, "careers").id
    browser = ops.Asker("web", "203.0.113.9", frozenset({"GB"}), per_hour=4)
    for n in range(4):
        ops.start_action(
            session,
            org,
            f"07400 10000{n}",
            ops.Target("join", careers),
            asker=browser,
            language="en",
        )
    with pytest.raises(ops.TooManyRequests):
        ops.start_action(
            session, org, "07400 100009", ops.Target("join", careers), asker=browser, language="en"
        )
    # Someone else, elsewhere, is not held up.
    other = ops.Asker("web", "198.51.100.4", frozenset({"GB"}), per_hour=4)
    ops.start_action(
        session, org, "07400 100009", ops.Target("join", careers), asker=other, language="en"
    )
