"""The webhook's edges: signatures, bad input, retries, limits, and no personal data in logs."""

from __future__ import annotations

import logging

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from twilio.request_validator import RequestValidator

from service.contacts.models import Contact, Membership
from service.messaging.segments import count
from service.sms.models import InboundMessage
from tests.support.fuzz import examples
from tests.support.settings import PUBLIC_URL, TEST_AUTH_TOKEN
from tests.support.sms import Handset, signed_post


def _rows(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _post_with(client, form: dict[str, str], signature: str):
    return client.post(
        "/twilio/sms", data=form, headers={"X-Twilio-Signature": signature}, base_url=PUBLIC_URL
    )


def test_forged_missing_or_stale_signatures_get_403_and_write_nothing(
    client, demo, session
) -> None:
    handset = Handset(client)
    form = handset.form("JOIN CARERS")
    genuine = RequestValidator(TEST_AUTH_TOKEN)
    forged = signed_post(client, "/twilio/sms", form, token="not-our-token")
    missing = client.post("/twilio/sms", data=form, base_url=PUBLIC_URL)
    changed_form = dict(form, Body="LEAVE ALL")  # a signed field changed in transit
    changed = _post_with(
        client, changed_form, genuine.compute_signature(PUBLIC_URL + "/twilio/sms", form)
    )
    other_host = _post_with(
        client, form, genuine.compute_signature("https://evil.example.com/twilio/sms", form)
    )
    statuses = [r.status_code for r in (forged, missing, changed, other_host)]
    assert statuses == [403, 403, 403, 403]
    assert _rows(session, InboundMessage) == 0
    assert _rows(session, Contact) == 0
    assert signed_post(client, "/twilio/sms", form).status_code == 200  # the genuine one works


def test_missing_fields_get_400_and_write_nothing(client, demo, session) -> None:
    form = Handset(client).form("HELP")
    del form["From"]
    assert signed_post(client, "/twilio/sms", form).status_code == 400
    form = Handset(client).form("HELP")
    form["From"] = "not a number"
    assert signed_post(client, "/twilio/sms", form).status_code == 400
    assert _rows(session, InboundMessage) == 0


def test_a_number_no_organisation_owns_gets_404(client, demo, session) -> None:
    reply = Handset(client).send("HELP", to="+441134960777")
    assert reply.status == 404
    assert _rows(session, Contact) == 0 and _rows(session, InboundMessage) == 0


def test_a_retried_webhook_gets_the_same_reply_and_one_effect(client, demo, session) -> None:
    handset = Handset(client)
    first = handset.send("JOIN CARERS", sid="SM" + "a" * 32)
    replays = [handset.send("JOIN CARERS", sid="SM" + "a" * 32) for _ in range(10)]
    assert all(r.xml == first.xml for r in replays)
    assert _rows(session, InboundMessage) == 1
    assert _rows(session, Membership) == 1


def test_a_retried_reading_text_gets_the_same_reply_and_one_row(client, demo, session) -> None:
    handset = Handset(client)
    handset.send("HELLO")
    first = handset.send("EVENTS", sid="SM" + "b" * 32)
    replays = [handset.send("EVENTS", sid="SM" + "b" * 32) for _ in range(3)]
    assert first.texts and all(r.xml == first.xml for r in replays)
    rows = session.scalars(select(InboundMessage).where(InboundMessage.command == "events")).all()
    assert len(rows) == 1


def test_more_than_twenty_texts_a_minute_get_no_reply(client, demo, session) -> None:
    handset = Handset(client)
    replies = [handset.send("HELP") for _ in range(21)]
    assert all(r.texts for r in replies[:20])
    assert replies[20].status == 200 and replies[20].texts == []
    assert "<Response />" in replies[20].xml or "<Response/>" in replies[20].xml
    other = Handset(client, "+447400654321").send("HELP")
    assert other.texts, "one number's limit must not silence another"


def test_the_log_keeps_metadata_not_bodies_or_numbers(client, demo, session, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    Handset(client).send("JOIN CARERS my secret words")
    row = session.scalars(select(InboundMessage)).one()
    assert row.body_encrypted is None and row.command == "join"
    dump = "\n".join(
        str(r)
        for t in ("inbound_message", "contact")
        for r in session.execute(text(f"SELECT * FROM {t}"))
    )
    assert "secret words" not in dump and "7400123456" not in dump
    logged = caplog.text
    assert "secret words" not in logged
    assert "7400123456" not in logged and "07400 123456" not in logged


@settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=st.text(max_size=1600), line=st.integers(min_value=0, max_value=99999))
def test_any_text_gets_a_polite_reply_of_at_most_two_segments(client, demo, body, line) -> None:
    # A different sender each time, so the per-number limit never hides a reply.
    reply = Handset(client, f"+4474001{line:05d}").send(body)
    assert reply.status == 200, reply.xml
    assert reply.texts, f"no reply to {body!r}"
    for message in reply.texts:
        assert count(message).segments <= 2, message
