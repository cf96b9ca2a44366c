"""What the SMS channel holds about a person: the log of texts received, the conversation.

Privacy (core) reaches these rows through `HOLDER`, which service/models.py registers.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Select, func, literal, select, update
from sqlalchemy.orm import Session

from service.contacts.models import Contact
from service.crypto import Vault
from service.privacy.models import MESSAGE
from service.privacy.registry import Holder, Holding, Rule, Target, stamp
from service.sms.models import ConversationState, InboundMessage


def erase_for_contact(session: Session, contact: Contact) -> None:
    """Unlink the contact's texts received, dropping what they wrote and what we answered."""
    # The inbound log keeps its rows (a retried webhook must still be recognised) but not what
    # we answered, which named their groups, nor what they wrote. The conversation state
    # cascades with the contact.
    session.execute(
        update(InboundMessage)
        .where(InboundMessage.contact_id == contact.id)
        .values(contact_id=None, replies_encrypted=None, body_encrypted=None)
    )


def holdings(session: Session, contact: Contact) -> list[Holding]:
    """How many texts received are logged against the contact."""
    count = session.scalar(
        select(func.count())
        .select_from(InboundMessage)
        .where(InboundMessage.contact_id == contact.id)
    )
    return [Holding("inbound", "Texts received (log entries)", count or 0)]


def export(session: Session, contact: Contact, vault: Vault) -> dict[str, Any]:
    """The texts received (and our replies) and the conversation's state, decrypted."""
    inbound = session.scalars(
        select(InboundMessage)
        .where(InboundMessage.contact_id == contact.id)
        .order_by(InboundMessage.id)
    ).all()
    state = session.get(ConversationState, contact.id)
    return {
        "texts_received": [
            {
                "received_at": stamp(m.received_at),
                "understood_as": m.command,
                "segments": m.segments,
                "body": vault.decrypt(m.body_encrypted) if m.body_encrypted else None,
                "replies": json.loads(vault.decrypt(m.replies_encrypted))
                if m.replies_encrypted
                else [],
            }
            for m in inbound
        ],
        "conversation": {
            "offered_list": state.list_kind,
            "waiting_for_reply_to": state.pending_kind,
            "updated_at": stamp(state.updated_at),
        }
        if state is not None
        else None,
    }


def twilio_records(contact: Contact) -> tuple[Select[Any], ...]:
    """The Twilio message SIDs of the contact's texts received."""
    return (
        select(literal(MESSAGE).label("kind"), InboundMessage.message_sid.label("sid")).where(
            InboundMessage.contact_id == contact.id
        ),
    )


HOLDER = Holder(
    "sms",
    erase=erase_for_contact,
    holdings=holdings,
    export=export,
    twilio_records=twilio_records,
    retention=(
        Rule(
            "inbound_message",
            "RETAIN_INBOUND_DAYS",
            "Log of texts received (and our encrypted replies), counted from when each arrived",
            InboundMessage,
            lambda: InboundMessage.received_at,
        ),
    ),
    encrypted=(
        Target(InboundMessage.__table__, "replies_encrypted"),  # type: ignore[arg-type]
        Target(InboundMessage.__table__, "body_encrypted"),  # type: ignore[arg-type]
    ),
)
