"""The inbound SMS log (metadata, not bodies) and each contact's place in the conversation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, utcnow


class InboundMessage(Base):
    """One webhook from Twilio; its MessageSid makes retries harmless."""

    __tablename__ = "inbound_message"
    __table_args__ = (Index("ix_inbound_message_contact_received", "contact_id", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_sid: Mapped[str] = mapped_column(String(64), unique=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    # Erasing a contact keeps the row (a retry must still be recognised) but drops the link.
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id", ondelete="SET NULL"))
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    command: Mapped[str] = mapped_column(String(20))
    segments: Mapped[int] = mapped_column(default=1)
    # The replies we sent, encrypted, so a retried webhook gets exactly the same answer.
    replies_encrypted: Mapped[str | None] = mapped_column(Text)
    # Only when FRONTLINE_SMS_KEEP_BODIES is on; encrypted like every personal field.
    body_encrypted: Mapped[str | None] = mapped_column(Text)


class ConversationState(Base):
    """What the last reply offered: a numbered list to pick from, or a question awaiting YES."""

    __tablename__ = "conversation_state"

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True
    )
    list_kind: Mapped[str | None] = mapped_column(String(20))
    list_items: Mapped[list[Any] | None] = mapped_column(JSON)
    list_offset: Mapped[int] = mapped_column(default=0)
    pending_kind: Mapped[str | None] = mapped_column(String(20))
    pending_payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
