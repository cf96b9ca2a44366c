"""Erasure reaches Twilio: every text, call and voicemail of the number is deleted there too.

Twilio (the fake) holds what the real one would: the texts the number sent, the replies our
TwiML made (whose SIDs we never learn), the texts the worker sent, the call and its voicemail.
After FORGET ME or a console erasure the worker deletes every one of them, retries through an
outage and through records Twilio is still processing, and audits it without the number.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from sqlalchemy import func, select

from service.audit.models import AuditEntry
from service.contacts.operations import find_contact
from service.privacy.erasure import erase_contact
from service.privacy.models import TwilioDeletion
from service.sms.models import InboundMessage
from service.voice.models import VoiceCall
from tests.support.outbox import Worker
from tests.support.privacy import ask_at_kiosk, run_worker, started_at, traces, use_phone_and_text
from tests.support.sms import DEMO_NUMBER, Handset

A, A_RECORDING = "+447400111222", "RE" + "a" * 32
B, B_NATIONAL, B_RECORDING = "+447400333444", "07400333444", "RE" + "b" * 32
BYSTANDER = "+447400555666"


def mirror_at_twilio(session, fake, org, number: str, recording: str) -> list[str]:
    """Give the fake what real Twilio would hold for the number; the SIDs of it all."""
    contact = find_contact(session, org.id, number)
    inbound = session.scalars(
        select(InboundMessage.message_sid).where(InboundMessage.contact_id == contact.id)
    ).all()
    for sid in inbound:
        fake.add_message(to=DEMO_NUMBER, from_=number, sid=sid)
        fake.add_message(to=number, from_=DEMO_NUMBER)  # our TwiML reply: a SID we never see
    call_sid = session.scalar(select(VoiceCall.call_sid).where(VoiceCall.contact_id == contact.id))
    fake.add_call(to=DEMO_NUMBER, from_=number, sid=call_sid)
    fake.add_recording(call_sid=call_sid, sid=recording)
    # A leg of a bridged call-back: the service rang the lead, then dialled the member.
    fake.add_call(to=number, from_=DEMO_NUMBER)
    return [*fake.held_for(number), recording]


def twilio_audit(session) -> list[dict]:
    """The details of every "deleted at Twilio" audit entry."""
    return [
        e.detail
        for e in session.scalars(select(AuditEntry).where(AuditEntry.action == "twilio.erased"))
    ]


def test_forget_me_deletes_the_numbers_texts_calls_and_voicemail_at_twilio(
    client, session, demo, vault, app, queued, fake
) -> None:
    use_phone_and_text(client, A, recording=A_RECORDING)
    Handset(client, BYSTANDER).send("JOIN CAREERS")
    ask_at_kiosk(client, session, "07400 111222", "a" * 40)  # a code, texted by the worker
    Worker(app, queued).run()
    sent = [m["sid"] for m in fake.sent if m["To"] == A]
    assert sent  # the worker's text reached Twilio, which holds it too
    held = mirror_at_twilio(session, fake, demo, A, A_RECORDING)
    kept = mirror_at_twilio(session, fake, demo, BYSTANDER, "RE" + "c" * 32)
    fake.max_page_size = 2  # Twilio pages its lists: every page must be read
    assert set(sent) <= set(held) and len(held) >= 20
    betray = [A[3:], vault.blind_index(A), find_contact(session, demo.id, A).phone_encrypted]

    phone = Handset(client, A)
    # Twilio holds each text before it calls the webhook with it.
    fake.add_message(to=DEMO_NUMBER, from_=A, sid="SM" + "f" * 32)
    assert "Reply YES" in phone.send("FORGET ME", sid="SM" + "f" * 32).texts[-1]
    fake.add_message(to=A, from_=DEMO_NUMBER)
    fake.add_message(to=DEMO_NUMBER, from_=A, sid="SM" + "e" * 32)
    done = phone.send("YES", sid="SM" + "e" * 32)
    assert done.texts == ["Done. We have deleted everything we held about this number."]
    # Twilio makes our "Done" reply only once the webhook has answered, after the erasure.
    fake.add_message(to=A, from_=DEMO_NUMBER)
    held = [*fake.held_for(A), A_RECORDING]

    # Until Twilio has listed the number's records, the number is held for that alone.
    assert traces(session, vault, betray) == [
        f"twilio_deletion.number_encrypted (row {row})"
        for row in session.scalars(
            select(TwilioDeletion.id).where(TwilioDeletion.number_encrypted.is_not(None))
        )
    ]
    assert fake.deleted_messages == [] and fake.deleted == []  # nothing yet: all in the rows
    run_worker(
        app, started_at(session), until=dt.timedelta(minutes=10), step=dt.timedelta(minutes=1)
    )

    # Every text (ours, theirs, the TwiML replies we never had a SID for), call and voicemail.
    assert fake.held_for(A) == []
    deleted = fake.deleted_messages + fake.deleted_calls + fake.deleted
    assert sorted(deleted) == sorted(held)
    assert A_RECORDING in fake.deleted
    # The bystander's records at Twilio are untouched.
    assert sorted(fake.held_for(BYSTANDER)) == sorted(kept[:-1])
    # And now nothing of the number is left anywhere in our database either.
    assert traces(session, vault, betray) == []
    assert session.scalar(select(func.count()).select_from(TwilioDeletion)) == 0
    (entry,) = twilio_audit(session)
    assert entry["messages"] == len(fake.deleted_messages) and entry["calls"] == 2
    assert entry["contact"] is not None and entry["attempts"] >= len(held)
    assert entry["recordings"] == 1
    assert "111222" not in json.dumps(entry) and "7400" not in json.dumps(entry)


def test_a_twilio_outage_loses_nothing_and_the_erasure_is_retried_until_done(
    client, session, demo, vault, app, console, managers, fake, caplog
) -> None:
    caplog.set_level(logging.DEBUG, logger="service")
    use_phone_and_text(client, B, recording=B_RECORDING)
    held = mirror_at_twilio(session, fake, demo, B, B_RECORDING)
    b_id = find_contact(session, demo.id, B).id
    admin = managers["admin"]
    console.sign_in(admin.email, admin.totp_secret)
    assert console.post("/console/privacy", {"phone": B_NATIONAL}).status_code == 200

    fake.outage = True
    erased = console.post(
        f"/console/privacy/{b_id}/erase", {"confirm": "y"}, token_from="/console/privacy"
    )
    assert erased.status_code == 302
    start = started_at(session)
    rows = session.scalar(select(func.count()).select_from(TwilioDeletion))
    # An hour of Twilio answering 503: every row is tried, none is lost, none is dropped.
    run_worker(app, start, until=dt.timedelta(hours=1), step=dt.timedelta(minutes=1))
    assert fake.requests >= rows and fake.deleted_messages == [] and fake.deleted == []
    assert session.scalar(select(func.count()).select_from(TwilioDeletion)) == rows
    tries = session.scalar(select(func.sum(TwilioDeletion.attempts)))
    assert tries > rows  # tried again, with backoff
    assert twilio_audit(session) == []

    # Twilio is back, but one text is still being processed there (error 20009) for a while.
    fake.outage = False
    slow = held[0]
    fake.not_yet.add(slow)
    later = start + dt.timedelta(hours=2)
    run_worker(app, later, until=dt.timedelta(hours=1), step=dt.timedelta(minutes=5))
    assert fake.held_for(B) == [slow]
    assert twilio_audit(session) == []
    fake.not_yet.clear()
    run_worker(
        app, later + dt.timedelta(hours=2), until=dt.timedelta(hours=7), step=dt.timedelta(hours=1)
    )

    assert fake.held_for(B) == [] and B_RECORDING in fake.deleted
    assert session.scalar(select(func.count()).select_from(TwilioDeletion)) == 0
    (entry,) = twilio_audit(session)
    assert entry["contact"] == b_id and entry["recordings"] == 1
    assert entry["messages"] + entry["calls"] + entry["recordings"] == len(held)
    console_entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "data.erase"))
    assert console_entry.detail["twilio"] == entry["erasure"]
    for text in [json.dumps(entry), json.dumps(console_entry.detail), caplog.text]:
        assert "333444" not in text and "7400 333" not in text


def test_a_rolled_back_erasure_owes_twilio_nothing(client, session, demo, app, fake) -> None:
    use_phone_and_text(client, A, recording=A_RECORDING)
    mirror_at_twilio(session, fake, demo, A, A_RECORDING)
    erase_contact(session, find_contact(session, demo.id, A))
    start = started_at(session)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(TwilioDeletion)) == 0
    run_worker(app, start, until=dt.timedelta(minutes=10), step=dt.timedelta(minutes=1))
    assert fake.deleted_messages == fake.deleted_calls == fake.deleted == []
