"""When a lead skips a date: tell the people who said they would go, and drop their reminders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.contacts.models import Contact
from service.content.models import Event
from service.content.queries import translations_for
from service.messaging.replies import fit, when_short, word
from service.organisations.models import Organisation
from service.outbox.operations import Draft, enqueue
from service.rsvps.models import Rsvp
from service.rsvps.reminders import cancel_reminders


@dataclass(frozen=True)
class CalledOff:
    """What calling an occurrence off did: texts written and reminders cancelled."""

    told: int
    reminders_cancelled: int


def called_off_text(title: str, local_start: dt.datetime, language: str) -> str:
    """The text to someone going to an occurrence that no longer happens, in two segments."""
    with force_locale(language):
        moment = when_short(local_start, language)
        full = _(
            "%(title)s on %(when)s is not happening. Text %(events)s for what's on.",
            title=title,
            when=moment,
            events=word("events", language),
        )
        return fit(full)


def call_off(session: Session, event: Event, occurrence_start: dt.datetime) -> CalledOff:
    """Text everyone going to this occurrence that it is off, and cancel their reminders."""
    cancelled = cancel_reminders(session, event.id, occurrence_start)
    zone = ZoneInfo(session.get_one(Organisation, event.organisation_id).timezone)
    local_start = occurrence_start.astimezone(zone)
    rows = session.execute(
        select(Rsvp.id, Contact.id, Contact.language)
        .join(Contact, Contact.id == Rsvp.contact_id)
        .where(
            Rsvp.event_id == event.id,
            Rsvp.occurrence_start == occurrence_start,
            Contact.opted_out_at.is_(None),
        )
    ).all()
    titles: dict[str, str] = {}
    drafts = []
    for rsvp_id, contact_id, language in rows:
        if language not in titles:
            texts = translations_for(session, Event.__tablename__, [event.id], language)
            titles[language] = texts.get((event.id, "title")) or event.title
        drafts.append(
            Draft(
                contact_id=contact_id,
                body=called_off_text(titles[language], local_start, language),
                # Once per person and date, however often the date is skipped and put back.
                dedupe_key=f"called-off:{rsvp_id}",
                language=language,
                not_after=occurrence_start,  # no use once it would have begun
            )
        )
    written = enqueue(
        session, organisation_id=event.organisation_id, drafts=drafts, kind="called_off"
    )
    return CalledOff(told=len(written), reminders_cancelled=cancelled)
