"""Erasure leaves nothing: one person by FORGET ME, another from the console, a third untouched."""

from __future__ import annotations

import datetime as dt
import json
import re

from sqlalchemy import func, select

from service.audit.models import AuditEntry
from service.callbacks.models import CallbackRequest
from service.contacts.models import Membership
from service.contacts.operations import find_contact
from service.privacy.erasure import erase_contact
from service.reach.models import ReachTally
from service.sms.models import InboundMessage
from service.voice.models import VoiceCall
from tests.support.outbox import Worker
from tests.support.privacy import ask_at_kiosk, run_worker, started_at, traces, use_phone_and_text
from tests.support.sms import Handset, signed_post
from tests.support.voice import Caller

A, A_NATIONAL, A_RECORDING = "+447400111222", "07400 111222", "RE" + "a" * 32
B, B_NATIONAL, B_RECORDING = "+447400333444", "07400333444", "RE" + "b" * 32
BYSTANDER = "+447400555666"


def needles(session, vault, org, number: str) -> list[str]:
    """What would betray the number: its digits, its blind index, its stored ciphertext."""
    contact = find_contact(session, org.id, number)
    return [number[3:], vault.blind_index(number), contact.phone_encrypted]


def tallies(session) -> list[tuple]:
    """Every reach count, as (month, network, site, channel, measure, count)."""
    return session.execute(
        select(
            ReachTally.month,
            ReachTally.network_id,
            ReachTally.site_id,
            ReachTally.channel,
            ReachTally.measure,
            ReachTally.count,
        ).order_by(ReachTally.id)
    ).all()


def test_nothing_of_either_number_is_left_anywhere(
    client, session, demo, vault, console, managers, app, queued, fake
) -> None:
    use_phone_and_text(client, A, recording=A_RECORDING)
    use_phone_and_text(client, B, recording=B_RECORDING)
    Handset(client, BYSTANDER).send("JOIN CAREERS")
    Worker(app, queued).run()  # texts go out: finished rows with Twilio's message ids
    ask_at_kiosk(client, session, A_NATIONAL, "a" * 40)  # and texts still waiting to go
    ask_at_kiosk(client, session, B_NATIONAL, "b" * 40)
    admin = managers["admin"]
    console.sign_in(admin.email, admin.totp_secret)
    b_request = session.scalar(
        select(CallbackRequest).where(
            CallbackRequest.contact_id == find_contact(session, demo.id, B).id,
            CallbackRequest.recording_sid.is_(None),
        )
    )
    reveal = console.post(
        f"/console/callbacks/{b_request.id}/reveal", {}, token_from="/console/callbacks"
    )
    assert reveal.status_code == 200
    betray = needles(session, vault, demo, A) + needles(session, vault, demo, B)
    held = traces(session, vault, betray)
    # The scan finds what it looks for, and every kind of row about them is there to erase.
    for place in ("contact.phone_encrypted", "contact.phone_index"):
        assert sum(h.startswith(place) for h in held) == 2, place
    a_id = find_contact(session, demo.id, A).id
    for model in (Membership, CallbackRequest, VoiceCall):
        assert session.scalar(select(func.count()).where(model.contact_id == a_id)), model
    reach_before = tallies(session)

    phone = Handset(client, A)
    assert re.search(r"Reply YES \d{4} to delete", phone.last("FORGET ME"))
    assert phone.last("YES") == "Done. We have deleted everything we held about this number."
    b_id = find_contact(session, demo.id, B).id
    found = console.post("/console/privacy", {"phone": B_NATIONAL})
    assert found.status_code == 200 and "07400 333444" in found.get_data(as_text=True)
    erased = console.post(
        f"/console/privacy/{b_id}/erase", {"confirm": "y"}, token_from="/console/privacy"
    )
    assert erased.status_code == 302

    # Only the rows that will list the numbers' records at Twilio still hold them, and only
    # until the worker has asked Twilio (minutes; see test_twilio_erasure.py).
    assert {t.split(" ")[0] for t in traces(session, vault, betray)} == {
        "twilio_deletion.number_encrypted"
    }
    run_worker(
        app, started_at(session), until=dt.timedelta(minutes=10), step=dt.timedelta(minutes=1)
    )
    assert traces(session, vault, betray) == []
    assert find_contact(session, demo.id, A) is None and find_contact(session, demo.id, B) is None
    for model in (Membership, CallbackRequest, VoiceCall):
        assert session.scalar(select(func.count()).where(model.contact_id.in_([a_id, b_id]))) == 0
    assert session.scalar(select(func.count()).select_from(VoiceCall)) == 0  # finished calls go
    # The inbound log keeps its rows, unlinked and empty, so a retried webhook is still known.
    unlinked = session.scalars(
        select(InboundMessage).where(InboundMessage.contact_id.is_(None))
    ).all()
    assert len(unlinked) >= 16
    assert all(m.body_encrypted is None for m in unlinked)
    assert [vault.decrypt(m.replies_encrypted) for m in unlinked if m.replies_encrypted] == [
        json.dumps(["Done. We have deleted everything we held about this number."])
    ]
    # Reach counts name no one and stay; the bystander keeps everything.
    assert tallies(session) == reach_before
    bystander = find_contact(session, demo.id, BYSTANDER)
    assert bystander is not None and bystander.memberships
    # Both voicemails are gone at Twilio too.
    assert sorted(fake.deleted) == [A_RECORDING, B_RECORDING]
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "data.erase"))
    assert entry.detail["contact"] == b_id and entry.detail["rows"]["recordings"] == 1
    assert "333444" not in json.dumps(entry.detail)


def test_a_voicemail_left_after_erasure_is_deleted_at_twilio(client, session, demo, fake):
    call = Caller(client, A)
    call.dial_in()
    call.press("1")
    call.press("4")  # leaving a message
    call.press("4")  # any time: the contact and the call's row exist from here
    erase_contact(session, find_contact(session, demo.id, A))
    session.commit()
    # The call goes on without its caller: unlinked, so its late voicemail is known for what it is.
    assert (
        session.scalar(select(VoiceCall.contact_id).where(VoiceCall.call_sid == call.call_sid))
        is None
    )
    answer = signed_post(
        client,
        "/twilio/voice/recording",
        {"CallSid": call.call_sid, "RecordingSid": A_RECORDING, "RecordingStatus": "completed"},
    )
    assert answer.status_code == 204
    assert fake.deleted == [A_RECORDING]
    assert session.scalar(select(func.count()).select_from(CallbackRequest)) == 0


def test_a_rolled_back_erasure_deletes_nothing_at_twilio(client, session, demo, fake):
    use_phone_and_text(client, A, recording=A_RECORDING)
    erase_contact(session, find_contact(session, demo.id, A))
    session.rollback()
    assert find_contact(session, demo.id, A) is not None
    session.commit()
    assert fake.deleted == []
