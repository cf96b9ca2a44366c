"""Deletions owed at Twilio after an erasure: one durable row per record, retried until done."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, utcnow

# What a row asks Twilio to do: find the number's records, or delete one record.
LOOKUP, MESSAGE, CALL, RECORDING = "lookup", "message", "call", "recording"


class TwilioDeletion(Base):
    """One record to delete at Twilio (or one look-up of a number's records) for an erasure.

    Written in the erasure's own transaction, so a Twilio outage or a lost task loses nothing:
    the worker retries each row until Twilio says it is gone, then the erasure's rows are
    counted into one audit entry and deleted.
    """

    __tablename__ = "twilio_deletion"
    __table_args__ = (
        UniqueConstraint("erasure", "sid"),
        Index("ix_twilio_deletion_due", "done_at", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    # A random reference grouping one erasure's rows; the audit entry names it, not the number.
    erasure: Mapped[str] = mapped_column(String(32))
    # The erased contact's old id (no foreign key: the row is gone), to tie the audit entries.
    contact_ref: Mapped[int | None]
    kind: Mapped[str] = mapped_column(String(10))
    sid: Mapped[str | None] = mapped_column(String(64))
    # Only on a look-up row, and only until Twilio has answered it: listing a number's texts
    # and calls needs the number. Cleared the moment the look-up succeeds.
    number_encrypted: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime]
    done_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
