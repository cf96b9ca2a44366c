"""Skip one date of a repeating event (a bank holiday, Christmas), and undo the skip.

A skipped date is gone from every channel at once: every channel reads occurrences through
content.queries, which leaves the event's skipped days out, and the write gives the
organisation a new content version, so no process serves the date from its cache.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.content.models import Event, SkippedDate
from service.content.recurrence import next_starts, occurrence_on
from service.errors import ValidationError
from service.organisations.models import Organisation


def _zone(session: Session, event: Event) -> ZoneInfo:
    return ZoneInfo(session.get_one(Organisation, event.organisation_id).timezone)


def occurrence_start_on(session: Session, event: Event, day: dt.date) -> dt.datetime | None:
    """The UTC start of the event's occurrence on a local day, skipped or not; None if none."""
    found = occurrence_on(
        first_start=event.starts_at,
        first_end=event.ends_at,
        rule=event.rrule,
        zone=_zone(session, event),
        day=day,
    )
    return found[0] if found else None


def skip_date(session: Session, event: Event, day: dt.date, *, now: dt.datetime) -> dt.datetime:
    """Skip the occurrence on a local day; its UTC start. Skipping it twice changes nothing."""
    if event.rrule is None:
        raise ValidationError("day", "this event happens once: delete it instead of skipping it")
    start = occurrence_start_on(session, event, day)
    if start is None:
        raise ValidationError("day", f"{event.title} does not happen on {day:%A %d %B %Y}")
    if start <= now:
        raise ValidationError("day", "that date has already begun")
    if day not in {s.day for s in event.skipped}:
        event.skipped.append(SkippedDate(organisation_id=event.organisation_id, day=day))
        session.flush()
    return start


def restore_date(session: Session, event: Event, day: dt.date) -> bool:
    """Undo a skip, so the date is on again everywhere; False when it was not skipped."""
    row = session.scalar(
        select(SkippedDate).where(SkippedDate.event_id == event.id, SkippedDate.day == day)
    )
    if row is None:
        return False
    event.skipped.remove(row)
    session.flush()
    return True


def skipped_ahead(session: Session, event: Event, now: dt.datetime) -> list[dt.date]:
    """The skipped days still to come, soonest first (the past ones are history)."""
    today = now.astimezone(_zone(session, event)).date()
    return [s.day for s in event.skipped if s.day >= today]


def next_dates(
    session: Session, event: Event, now: dt.datetime, count: int = 5
) -> list[dt.datetime]:
    """The event's next `count` starts (UTC) from now, skipped days left out."""
    return next_starts(
        first_start=event.starts_at,
        first_end=event.ends_at,
        rule=event.rrule,
        zone=_zone(session, event),
        after=now,
        count=count,
        skipped={s.day for s in event.skipped},
    )
