"""Reminders: the day before and the hour before each occurrence someone said they would go to."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from service.crypto import vault_of
from service.outbox.models import OutboundMessage
from service.rsvps.operations import rsvp
from service.rsvps.reminders import queue_reminders, reminder_moment
from tests.support import factories


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


# Quiet hours (21:00-08:00 London) must never make a reminder arrive after its event starts.
LONDON = ZoneInfo("Europe/London")
QUIET = "21:00-08:00"


def _local(moment: dt.datetime | None) -> str:
    assert moment is not None
    return moment.astimezone(LONDON).strftime("%a %d %b %H:%M")


@pytest.mark.parametrize(
    ("local_start", "offset_hours", "expected"),
    [
        # A 07:30 shift start: the hour-before moment (06:30) is quiet until 08:00, after the
        # start, so it goes the evening before, 15 minutes before quiet hours begin.
        (dt.datetime(2026, 11, 24, 7, 30), 1, "Mon 23 Nov 20:45"),
        # The day-before reminder of the same shift: held to 08:00, still a day ahead.
        (dt.datetime(2026, 11, 24, 7, 30), 24, "Mon 23 Nov 07:30"),
        # A 22:00 night-shift chat: 21:00 is quiet until morning, so 20:45 instead.
        (dt.datetime(2026, 11, 24, 22, 0), 1, "Tue 24 Nov 20:45"),
        # An 08:30 start: held from 07:30 to 08:00, still before the start: unchanged.
        (dt.datetime(2026, 11, 24, 8, 30), 1, "Tue 24 Nov 07:30"),
        # An ordinary afternoon: start - offset.
        (dt.datetime(2026, 11, 24, 14, 0), 1, "Tue 24 Nov 13:00"),
        # Overnight (02:00): the hour-before moves to before the quiet hours that hold it; the
        # day-before (02:00 the night before) is held to 08:00, 18 hours ahead: unchanged.
        (dt.datetime(2026, 11, 25, 2, 0), 1, "Tue 24 Nov 20:45"),
        (dt.datetime(2026, 11, 25, 2, 0), 24, "Tue 24 Nov 02:00"),
        # Clocks go forward at 01:00 GMT on Sunday 28 March 2027: 20:45 GMT the evening before.
        (dt.datetime(2027, 3, 28, 7, 30), 1, "Sat 27 Mar 20:45"),
        # Clocks go back at 02:00 BST on Sunday 31 October 2027: 20:45 BST the evening before.
        (dt.datetime(2027, 10, 31, 7, 30), 1, "Sat 30 Oct 20:45"),
    ],
)
def test_a_reminder_in_quiet_hours_goes_before_them_when_morning_is_too_late(
    app, local_start, offset_hours, expected
) -> None:
    config = app.config["FRONTLINE"].replace(QUIET_HOURS=QUIET)
    start = local_start.replace(tzinfo=LONDON).astimezone(dt.UTC)
    due = reminder_moment(start, dt.timedelta(hours=offset_hours), config, LONDON)
    assert _local(due) == expected
    assert due < start


def test_without_quiet_hours_a_reminder_goes_at_start_minus_offset(app) -> None:
    config = app.config["FRONTLINE"].replace(QUIET_HOURS="")
    start = dt.datetime(2026, 11, 24, 7, 30, tzinfo=dt.UTC)
    assert reminder_moment(start, dt.timedelta(hours=1), config, LONDON) == start - dt.timedelta(
        hours=1
    )


def _night_shift(session):
    org = factories.create_organisation(session)
    event = factories.create_event(
        session, org=org, title="Night shift chat", local_start=dt.datetime(2026, 11, 24, 22, 0)
    )
    person = factories.create_contact(session, org=org)
    start = dt.datetime(2026, 11, 24, 22, 0, tzinfo=dt.UTC)  # London is on GMT in November
    return person, event, start


def test_the_night_shift_chat_reminder_is_queued_at_2045_not_next_morning(session, app) -> None:
    config = app.config["FRONTLINE"].replace(QUIET_HOURS=QUIET)
    person, event, start = _night_shift(session)
    rsvp(session, person, event.id, start, "sms")
    assert queue_reminders(session, config, start - dt.timedelta(minutes=80)) == 0
    assert queue_reminders(session, config, start - dt.timedelta(minutes=75)) == 1
    assert queue_reminders(session, config, start - dt.timedelta(hours=1)) == 0  # once only
    row = session.scalars(select(OutboundMessage)).one()
    assert row.not_after == start - dt.timedelta(minutes=15)


def test_an_rsvp_made_after_the_last_moment_gets_no_reminder_at_all(session, app) -> None:
    config = app.config["FRONTLINE"].replace(QUIET_HOURS=QUIET)
    person, event, start = _night_shift(session)
    rsvp(session, person, event.id, start, "sms")
    # Said yes at 21:30: the 20:45 moment has gone, and anything later lands in quiet hours.
    for minutes in (30, 25, 20, 15, 10, 5, 0):
        assert queue_reminders(session, config, start - dt.timedelta(minutes=minutes)) == 0
    assert session.scalars(select(OutboundMessage)).all() == []


def _reminder_queued(session, worker) -> dt.datetime:
    """A yes to the night shift, its reminder queued at 20:45 under quiet hours; its start."""
    worker.config = worker.config.replace(QUIET_HOURS=QUIET)
    person, event, start = _night_shift(session)
    rsvp(session, person, event.id, start, "sms")
    queue_reminders(session, worker.config, start - dt.timedelta(minutes=75))
    session.commit()
    return start


def test_a_reminder_held_past_its_start_is_dropped_not_sent_late(session, fake, worker) -> None:
    start = _reminder_queued(session, worker)
    # The worker was down until 21:05: sending now would hold it until 08:00 tomorrow.
    worker.now = start - dt.timedelta(minutes=55)
    worker.run()
    row = session.scalars(select(OutboundMessage)).one()
    assert (row.status, row.skip_reason) == ("cancelled", "too late")
    assert fake.sent == []


def test_a_reminder_sent_in_time_goes_at_once(session, fake, worker) -> None:
    start = _reminder_queued(session, worker)
    worker.now = start - dt.timedelta(minutes=74)
    worker.run()
    assert session.scalars(select(OutboundMessage)).one().status == "sent"
    assert len(fake.sent) == 1
