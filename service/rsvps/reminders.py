"""Remind people who said they would go: the day before and an hour before, in their language.

A reminder must arrive before its event starts. When its moment falls in quiet hours and the
quiet hours end too close to the start (a 07:30 shift, a 22:00 night-shift chat), it goes just
before the quiet hours begin instead; the outbox drops any that would still arrive late.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from service.config import Config, quiet_hours, reminder_offsets
from service.contacts.models import Contact
from service.content import queries
from service.db import utcnow
from service.formatting import when
from service.messaging import replies
from service.messaging.replies import fit
from service.organisations.models import Organisation
from service.outbox.models import OutboundMessage
from service.outbox.operations import Draft, enqueue
from service.rsvps.models import Rsvp

# A reminder found later than this after its moment is not worth sending any more.
LATEST = dt.timedelta(minutes=30)
# A reminder must land at least this long before the start to be worth anything; moved out
# of quiet hours, it goes this long before they begin, so the worker has time to send it.
MARGIN = dt.timedelta(minutes=15)


def _in_quiet(window: tuple[dt.time, dt.time], t: dt.time) -> bool:
    start, end = window
    return (start <= t or t < end) if start > end else (start <= t < end)


def reminder_moment(
    start: dt.datetime, offset: dt.timedelta, config: Config, zone: ZoneInfo
) -> dt.datetime | None:
    """When the reminder for an occurrence goes (UTC), or None when no moment can be in time.

    Normally start - offset. Inside quiet hours the outbox would hold it to their end: kept
    when that is still MARGIN before the start, else moved to MARGIN before they began.
    """
    nominal = start - offset
    window = quiet_hours(config)
    if window is None:
        return nominal
    local = nominal.astimezone(zone)
    if not _in_quiet(window, local.time()):
        return nominal
    quiet_start, quiet_end = window
    # The quiet period holding `local`: it began on this day or the day before.
    began_day = local.date() if local.time() >= quiet_start else local.date() - dt.timedelta(1)
    began = dt.datetime.combine(began_day, quiet_start, tzinfo=zone)
    end_day = began_day if quiet_end > quiet_start else began_day + dt.timedelta(1)
    ends = dt.datetime.combine(end_day, quiet_end, tzinfo=zone)
    if ends <= start - MARGIN:
        return nominal  # held until the quiet hours end, still in good time
    moved = (began - MARGIN).astimezone(dt.UTC)
    return moved if moved < start - MARGIN else None


def _widest_quiet(config: Config) -> dt.timedelta:
    window = quiet_hours(config)
    if window is None:
        return dt.timedelta(0)
    start, end = (dt.datetime.combine(dt.date(2000, 1, 1), t) for t in window)
    return (end - start) % dt.timedelta(days=1) + MARGIN


def reminder_text(occurrence: queries.Occurrence, language: str) -> str:
    """The reminder as the member reads it, in at most two segments."""
    with force_locale(language):
        moment = when(occurrence.local_start, language, style="EEE d MMM HH:mm")
        head = _("Reminder: %(title)s, %(when)s.", title=occurrence.title, when=moment)
        where = occurrence.place or occurrence.site_name
        parts = [head, f"{where}." if where else "", replies.dial_in(occurrence)]
        return fit(" ".join(p for p in parts if p), " ".join(p for p in parts[::2] if p), head)


def queue_reminders(session: Session, config: Config, now: dt.datetime) -> int:
    """Write reminder rows for occurrences coming up; each goes once per person and offset."""
    written = 0
    zones: dict[int, ZoneInfo] = {}
    # A reminder moved out of quiet hours goes earlier than start - offset, by at most this.
    earlier = _widest_quiet(config)
    for offset in reminder_offsets(config):
        # Occurrences whose reminder moment is now or just passed: start - offset, or earlier.
        window_start, window_end = now + offset - LATEST, now + offset + earlier
        rows = session.execute(
            select(Rsvp, Contact)
            .join(Contact, Contact.id == Rsvp.contact_id)
            .where(
                Rsvp.occurrence_start > window_start,
                Rsvp.occurrence_start <= window_end,
                Contact.opted_out_at.is_(None),
            )
        ).all()
        by_org: dict[int, list[Draft]] = {}
        for rsvp, contact in rows:
            org_id = contact.organisation_id
            if org_id not in zones:
                zones[org_id] = ZoneInfo(session.get_one(Organisation, org_id).timezone)
            due = reminder_moment(rsvp.occurrence_start, offset, config, zones[org_id])
            if due is None or not (now - LATEST < due <= now):
                continue
            occurrence = _occurrence(session, contact.organisation_id, rsvp, contact.language)
            if occurrence is None:
                continue  # the event was cancelled or moved
            label = f"{int(offset.total_seconds() // 60)}m"
            by_org.setdefault(contact.organisation_id, []).append(
                Draft(
                    contact_id=contact.id,
                    body=reminder_text(occurrence, contact.language),
                    dedupe_key=f"reminder:{rsvp.id}:{label}",
                    language=contact.language,
                    not_after=rsvp.occurrence_start - MARGIN,
                )
            )
        for organisation_id, drafts in by_org.items():
            written += len(
                enqueue(
                    session,
                    organisation_id=organisation_id,
                    drafts=drafts,
                    kind="reminder",
                )
            )
    return written


def _occurrence(
    session: Session, organisation_id: int, rsvp: Rsvp, language: str
) -> queries.Occurrence | None:
    found = queries.upcoming_occurrences(
        session,
        organisation_id,
        start=rsvp.occurrence_start,
        end=rsvp.occurrence_start + dt.timedelta(seconds=1),
        language=language,
    )
    return next((o for o in found if o.event_id == rsvp.event_id), None)


def cancel_reminders(session: Session, event_id: int, occurrence_start: dt.datetime) -> int:
    """Cancel reminders not yet sent for an occurrence that no longer happens; how many."""
    rsvp_ids = session.scalars(
        select(Rsvp.id).where(Rsvp.event_id == event_id, Rsvp.occurrence_start == occurrence_start)
    ).all()
    if not rsvp_ids:
        return 0
    # A reminder held by quiet hours can wait for hours; it must not announce a skipped date.
    result = session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.kind == "reminder",
            OutboundMessage.status == "pending",
            or_(*(OutboundMessage.dedupe_key.like(f"reminder:{i}:%") for i in rsvp_ids)),
        )
        .values(status="cancelled", skip_reason="date skipped", finished_at=utcnow())
    )
    return result.rowcount or 0
