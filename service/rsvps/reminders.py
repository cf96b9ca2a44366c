"""Remind people who said they would go: the day before and an hour before, in their language."""

from __future__ import annotations

import datetime as dt

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.config import Config, reminder_offsets
from service.contacts.models import Contact
from service.content import queries
from service.formatting import when
from service.outbox.operations import Draft, enqueue
from service.rsvps.models import Rsvp
from service.sms import replies
from service.sms.replies import fit

# A reminder found later than this after its moment is not worth sending any more.
LATEST = dt.timedelta(minutes=30)


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
    for offset in reminder_offsets(config):
        # Occurrences whose reminder moment (start - offset) is now or just passed.
        window_start, window_end = now + offset - LATEST, now + offset
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
