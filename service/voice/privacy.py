"""What the phone line holds about a person: their calls (status and length, no audio).

Privacy (core) reaches these rows through `HOLDER`, which service/models.py registers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, delete, func, literal, select
from sqlalchemy.orm import Session

from service.contacts.models import Contact
from service.crypto import Vault
from service.privacy.models import CALL
from service.privacy.registry import Holder, Holding, Rule, stamp
from service.voice.models import VoiceCall

# Twilio's final call statuses: after these no recording or status callback follows.
FINISHED_CALL_STATUSES = ("completed", "busy", "failed", "no-answer", "canceled")


def erase_for_contact(session: Session, contact: Contact) -> None:
    """Delete the contact's finished calls; one still going on is unlinked when the contact goes."""
    # A call still going on keeps its row, unlinked (the foreign key sets it to NULL), so a
    # voicemail it leaves is known as an erased caller's and deleted too.
    session.execute(
        delete(VoiceCall).where(
            VoiceCall.contact_id == contact.id, VoiceCall.status.in_(FINISHED_CALL_STATUSES)
        )
    )


def holdings(session: Session, contact: Contact) -> list[Holding]:
    """How many calls to the line are held against the contact."""
    count = session.scalar(
        select(func.count()).select_from(VoiceCall).where(VoiceCall.contact_id == contact.id)
    )
    return [Holding("calls", "Calls to the phone line", count or 0)]


def export(session: Session, contact: Contact, vault: Vault) -> dict[str, Any]:
    """The contact's calls to the line."""
    calls = session.scalars(
        select(VoiceCall).where(VoiceCall.contact_id == contact.id).order_by(VoiceCall.id)
    ).all()
    return {
        "calls": [
            {
                "started_at": stamp(c.started_at),
                "status": c.status,
                "duration_seconds": c.duration_seconds,
                "language": c.language,
            }
            for c in calls
        ]
    }


def twilio_records(contact: Contact) -> tuple[Select[Any], ...]:
    """The Twilio call SIDs of the contact's calls to the line."""
    return (
        select(literal(CALL).label("kind"), VoiceCall.call_sid.label("sid")).where(
            VoiceCall.contact_id == contact.id
        ),
    )


HOLDER = Holder(
    "voice",
    erase=erase_for_contact,
    holdings=holdings,
    export=export,
    twilio_records=twilio_records,
    retention=(
        Rule(
            "voice_call",
            "RETAIN_VOICE_CALLS_DAYS",
            "Calls to the phone line (status and length), counted from when each started",
            VoiceCall,
            lambda: VoiceCall.started_at,
        ),
    ),
)
