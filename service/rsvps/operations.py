"""Say you are going to an occurrence, or take it back."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.contacts.models import Contact
from service.content.models import Event
from service.errors import DomainError, NotFound
from service.reach.operations import count_for_contact
from service.rsvps.models import Rsvp


class EventFull(DomainError):
    """The occurrence has reached its capacity."""


def rsvp(
    session: Session, contact: Contact, event_id: int, occurrence_start: dt.datetime, channel: str
) -> tuple[Rsvp, bool]:
    """Record that the contact is going; the flag is False when they already were."""
    existing = session.scalar(
        select(Rsvp).where(
            Rsvp.contact_id == contact.id,
            Rsvp.event_id == event_id,
            Rsvp.occurrence_start == occurrence_start,
        )
    )
    if existing is not None:
        return existing, False
    row = Rsvp(
        contact_id=contact.id,
        event_id=event_id,
        occurrence_start=occurrence_start,
        channel=channel,
    )
    found = session.execute(
        select(Event.capacity, Event.network_id).where(Event.id == event_id)
    ).one_or_none()
    if found is None:
        raise NotFound("no such event")
    capacity, network_id = found
    if capacity is not None and going_count(session, event_id, occurrence_start) >= capacity:
        raise EventFull("that session is full")
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        # A retried request raced this one; the first RSVP stands.
        return rsvp(session, contact, event_id, occurrence_start, channel)
    count_for_contact(session, contact, measure="rsvp", channel=channel, network_id=network_id)
    return row, True


def cancel_rsvp(
    session: Session, contact: Contact, event_id: int, occurrence_start: dt.datetime
) -> bool:
    """Take back an RSVP; False when there was none."""
    result = session.execute(
        delete(Rsvp).where(
            Rsvp.contact_id == contact.id,
            Rsvp.event_id == event_id,
            Rsvp.occurrence_start == occurrence_start,
        )
    )
    return bool(result.rowcount)


def going_count(session: Session, event_id: int, occurrence_start: dt.datetime) -> int:
    """How many people are going to an occurrence."""
    return (
        session.scalar(
            select(func.count()).where(
                Rsvp.event_id == event_id, Rsvp.occurrence_start == occurrence_start
            )
        )
        or 0
    )
