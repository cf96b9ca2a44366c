"""Reminders: the day before and the hour before each occurrence someone said they would go to."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from service.crypto import vault_of
from service.outbox.models import OutboundMessage
from service.rsvps.operations import rsvp
from service.rsvps.reminders import queue_reminders
from tests import factories


def test_reminders_go_once_per_offset_in_the_members_language(session, app) -> None:
    config = app.config["FRONTLINE"]
    org = factories.create_organisation(session)
    network = factories.create_network(session, org=org)
    event = factories.create_event(
        session,
        org=org,
        network=network,
        title="Cuppa and chat",
        local_start=dt.datetime(2026, 12, 4, 12, 30),
        rrule="FREQ=WEEKLY;BYDAY=FR",
        dial_in_number="+441134960101",
    )
    polish = factories.create_contact(session, org=org, language="pl")
    start = dt.datetime(2026, 12, 11, 12, 30, tzinfo=dt.UTC)  # the second Friday
    rsvp(session, polish, event.id, start, "sms")

    assert queue_reminders(session, config, start - dt.timedelta(hours=30)) == 0
    assert queue_reminders(session, config, start - dt.timedelta(hours=24)) == 1
    assert queue_reminders(session, config, start - dt.timedelta(hours=23, minutes=55)) == 0
    assert queue_reminders(session, config, start - dt.timedelta(minutes=58)) == 1
    assert queue_reminders(session, config, start - dt.timedelta(minutes=50)) == 0
    bodies = [
        vault_of(session).decrypt(r.body_encrypted)
        for r in session.scalars(select(OutboundMessage).order_by(OutboundMessage.id))
    ]
    assert len(bodies) == 2
    assert all("Cuppa and chat" in b and "12:30" in b and "0113 496 0101" in b for b in bodies)
    assert all(b.startswith("Przypomnienie") for b in bodies), bodies


def test_a_late_rsvp_gets_only_the_reminders_still_ahead(session, app) -> None:
    config = app.config["FRONTLINE"]
    org = factories.create_organisation(session)
    event = factories.create_event(session, org=org, local_start=dt.datetime(2026, 12, 4, 18))
    person = factories.create_contact(session, org=org)
    start = dt.datetime(2026, 12, 4, 18, tzinfo=dt.UTC)
    rsvp(session, person, event.id, start, "sms")
    # Said yes three hours before: the day-before reminder's moment has long passed.
    assert queue_reminders(session, config, start - dt.timedelta(hours=3)) == 0
    assert queue_reminders(session, config, start - dt.timedelta(hours=1)) == 1
