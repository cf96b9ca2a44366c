"""Broadcasts from the console: compose, preview per language, send, watch, cancel."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from service.audit.models import AuditEntry
from service.broadcasts.models import Broadcast
from service.contacts.operations import join_network
from service.content.models import Network
from service.db import utcnow
from service.outbox.models import OutboundMessage
from tests.support import factories
from tests.support.console import page_text
from tests.support.fake_twilio import config_at_fake
from tests.support.outbox import SENDER, Worker, minds_audience
from tests.support.sms import signed_post

config = config_at_fake(TWILIO_FROM_NUMBER=SENDER, SMS_SEND_RATE=0, MAX_DAILY_TEXTS=1000)


@pytest.fixture
def members(session, demo):
    """Six Minds Matter members (two Polish, one discreet) and three Careers members."""
    minds, made = minds_audience(session, demo)
    careers = session.scalar(select(Network).where(Network.slug == "careers"))
    for _ in range(3):
        contact = factories.create_contact(session, org=demo)
        join_network(session, contact, careers, channel="sms")
    session.flush()
    return {"minds": minds, "careers": careers, "contacts": made}


def signed_in(console, manager):
    console.sign_in(manager.email, manager.totp_secret)
    return console


def compose(console, **fields):
    form = {"body": "Cuppa is in the yard on Friday.", "audience": "networks", "site": "0"}
    form.update(fields)
    return console.post("/console/broadcasts/new", form)


def test_a_lead_previews_sends_and_watches_a_broadcast_finish(
    console, managers, members, session, app, queued, fake
):
    lead = signed_in(console, managers["network_lead"])
    minds = members["minds"]
    made = compose(
        lead,
        networks=[str(minds.id)],
        body_pl="Herbatka jest na podwórku w piątek.",
        urgent="y",
    )
    assert made.status_code == 302, page_text(made)[:400]
    path = made.headers["Location"].replace("http://localhost", "")
    preview = page_text(lead.get(path))
    # Six members; Polish members get the Polish text, the discreet one the discreet name.
    assert "Recipients: 6 people." in preview
    assert "Herbatka jest na podwórku w piątek." in preview
    assert f"{minds.discreet_name} : Cuppa is in the yard on Friday." in preview
    assert "UCS-2" in preview and "£" in preview
    assert session.scalar(select(func.count()).select_from(OutboundMessage)) == 0

    broadcast_id = int(path.rsplit("/", 1)[1])
    sent = lead.post(f"/console/broadcasts/{broadcast_id}/send", {}, token_from=path)
    assert sent.status_code == 302
    progress = lead.get(f"/console/broadcasts/{broadcast_id}/progress").get_json()
    assert progress["total"] == 6 and progress["counts"]["waiting"] == 6
    assert not progress["finished"]

    worker = Worker(app, queued)
    assert worker.run() == 6
    assert len(fake.sent) == 6
    polish = {m["Body"] for m in fake.sent if "Herbatka" in m["Body"]}
    # The network is named in Polish too, from the demo's translation.
    assert polish == {"Umysł Się Liczy: Herbatka jest na podwórku w piątek."}
    progress = lead.get(f"/console/broadcasts/{broadcast_id}/progress").get_json()
    assert progress["finished"] and progress["counts"]["sent"] == 6
    # Delivery reports arrive from Twilio and the counts move on.
    rows = session.scalars(
        select(OutboundMessage).where(OutboundMessage.broadcast_id == broadcast_id)
    ).all()
    for row in rows[:4]:
        form = {"MessageSid": row.twilio_sid, "MessageStatus": "delivered", "To": "x"}
        assert (
            signed_post(console.client, f"/twilio/sms/status?outbox_id={row.id}", form).status_code
            == 204
        )
    form = {"MessageSid": rows[4].twilio_sid, "MessageStatus": "undelivered", "ErrorCode": "30003"}
    signed_post(console.client, f"/twilio/sms/status?outbox_id={rows[4].id}", form)
    counts = lead.get(f"/console/broadcasts/{broadcast_id}/progress").get_json()["counts"]
    assert counts == {"waiting": 0, "sent": 1, "delivered": 4, "failed": 1, "cancelled": 0}
    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["broadcast.create", "broadcast.send"]


def test_a_lead_reaches_only_their_own_members(console, managers, members, session):
    lead = signed_in(console, managers["network_lead"])
    careers = members["careers"]
    assert compose(lead, networks=[str(careers.id)]).status_code == 400
    assert compose(lead, audience="organisation").status_code == 400
    assert session.scalar(select(func.count()).select_from(Broadcast)) == 0


def test_a_lead_cannot_open_an_admins_broadcast(console, managers, members, session, demo):
    from service.broadcasts.operations import create_broadcast

    everyone = create_broadcast(session, demo, body="Depot closed", audience="organisation")
    lead = signed_in(console, managers["network_lead"])
    assert lead.get(f"/console/broadcasts/{everyone.id}").status_code == 403
    assert "Depot closed" not in page_text(lead.get("/console/broadcasts"))


def test_admin_schedules_then_cancels_and_nothing_is_sent(console, managers, members, session):
    admin = signed_in(console, managers["admin"])
    # A month after the suite's day: a fixed date is in the past (and refused) on later runs.
    later = f"{utcnow().date() + dt.timedelta(days=30):%Y-%m-%d}T09:00"
    made = compose(admin, audience="organisation", scheduled_for=later)
    path = made.headers["Location"].replace("http://localhost", "")
    broadcast_id = int(path.rsplit("/", 1)[1])
    assert "Schedule it" in page_text(admin.get(path))
    admin.post(f"/console/broadcasts/{broadcast_id}/send", {}, token_from=path)
    assert session.get(Broadcast, broadcast_id).status == "scheduled"
    admin.post(f"/console/broadcasts/{broadcast_id}/cancel", {}, token_from=path)
    assert session.get(Broadcast, broadcast_id).status == "cancelled"
    assert session.scalar(select(func.count()).select_from(OutboundMessage)) == 0
    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-3:] == ["broadcast.create", "broadcast.schedule", "broadcast.cancel"]


def test_a_time_in_the_past_or_a_post_without_a_token_is_refused(
    console, managers, members, session
):
    admin = signed_in(console, managers["admin"])
    past = compose(admin, audience="organisation", scheduled_for="2020-01-06T09:00")
    assert past.status_code == 400 and "Choose a time in the future" in page_text(past)
    forged = console.client.post(
        "/console/broadcasts/new",
        data={"body": "x", "audience": "organisation"},
        base_url="https://frontline.example",
    )
    assert forged.status_code == 400
    assert session.scalar(select(func.count()).select_from(Broadcast)) == 0


def test_discarding_a_draft_removes_it(console, managers, members, session):
    admin = signed_in(console, managers["admin"])
    path = (
        compose(admin, audience="organisation").headers["Location"].replace("http://localhost", "")
    )
    broadcast_id = int(path.rsplit("/", 1)[1])
    admin.post(f"/console/broadcasts/{broadcast_id}/discard", {}, token_from=path)
    assert session.get(Broadcast, broadcast_id) is None
