"""One row per recipient and message, written in the same transaction as its cause."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, utcnow

# A status only ever moves to a higher rank: a late "sent" never overwrites "delivered".
STATUS_RANK = {
    "pending": 0,
    "sending": 1,
    "sent": 2,
    "delivered": 3,
    "undelivered": 3,
    "failed": 3,
    "cancelled": 3,
}
FINISHED = frozenset(s for s, rank in STATUS_RANK.items() if rank == 3)


def _partial(name: str, column: str, where: str, unique: bool = False) -> Index:
    """An index of only the rows matching `where`, on both databases."""
    return Index(
        name, column, unique=unique, postgresql_where=text(where), sqlite_where=text(where)
    )


class OutboundMessage(Base):
    """A text to one contact: a broadcast copy, a reminder, a code, or "text me this"."""

    __tablename__ = "outbound_message"
    __table_args__ = (
        Index("ix_outbound_message_status_next", "status", "next_attempt_at"),
        Index("ix_outbound_message_contact_created", "contact_id", "created_at"),
        # Serves everything by broadcast, and its progress counts by status from the index alone.
        Index("ix_outbound_message_broadcast_status", "broadcast_id", "status"),
        # Partial (migration 0042): only the rows that hold the column, so a fan-out's million
        # rows (a contact's, not yet sent) add no entry to these three.
        _partial("ix_outbound_message_to_index", "to_index", "to_index IS NOT NULL"),
        _partial("uq_outbound_message_twilio_sid", "twilio_sid", "twilio_sid IS NOT NULL", True),
        # Looked up only when an organisation goes, for its texts to typed numbers (a contact's
        # go with the contact).
        _partial("ix_outbound_message_organisation_id", "organisation_id", "contact_id IS NULL"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # organisation_id, contact_id and broadcast_id hold no foreign key (migration 0041): a
    # fan-out writes a million rows, and checking three keys a row was most of its cost.
    # Deleting an organisation, contact or broadcast still deletes its rows (a trigger each),
    # and an erasure waits for the fan-out batches under way (outbox.operations).
    organisation_id: Mapped[int]
    # Erasing a contact erases their messages too. None for a text to a number typed on a
    # screen that is not (yet) a contact: a code, or "text me this".
    contact_id: Mapped[int | None]
    # The number, encrypted, and its blind index, when there is no contact to take it from.
    to_encrypted: Mapped[str | None] = mapped_column(Text)
    to_index: Mapped[str | None] = mapped_column(String(64))
    broadcast_id: Mapped[int | None]
    # For network messages: the networks the contact must still belong to at send time.
    network_ids: Mapped[list[int] | None] = mapped_column(default=None)
    kind: Mapped[str] = mapped_column(String(12))
    # One row per recipient and message, even if the cause is processed twice.
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    body_encrypted: Mapped[str] = mapped_column(Text)
    # Keyed hash of the body: the loop guard compares bodies without decrypting them.
    body_hash: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="en")
    urgent: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    not_before: Mapped[dt.datetime | None]
    # After this moment the text is no use (a reminder once its event has started): the
    # sender cancels it rather than send it late, whatever held it (quiet hours, retries).
    not_after: Mapped[dt.datetime | None]
    next_attempt_at: Mapped[dt.datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    # When a task for this row was last put on the queue; the sweeper re-queues lost ones.
    queued_at: Mapped[dt.datetime | None]
    # Unique once set (a partial index: see above).
    twilio_sid: Mapped[str | None] = mapped_column(String(64))
    error_code: Mapped[int | None]
    # Why the service itself did not send it (opted out, no longer a member, loop guard...).
    skip_reason: Mapped[str | None] = mapped_column(String(40))
    segments: Mapped[int] = mapped_column(default=1)
    cost_estimate_pence: Mapped[float] = mapped_column(default=0.0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sending_at: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
