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


class RotationCheckpoint(Base):
    """How far an unfinished `frontline rotate-data-key` got in one column, to resume from.

    Written in each batch's own transaction, so after a kill it names exactly the last batch
    committed. Every row goes when a run finishes, so the next rotation starts from the top.
    """

    __tablename__ = "rotation_checkpoint"

    # The column, as service.privacy.rotation labels it (table.column).
    label: Mapped[str] = mapped_column(String(120), primary_key=True)
    # Which key the run moves values to: a keyed hash of a fixed text under it (never the key).
    # A checkpoint made for another key is stale and ignored.
    key_check: Mapped[str] = mapped_column(String(64))
    # The primary key of the last row done (an id, or a random text id), as text.
    last_id: Mapped[str] = mapped_column(String(64))
    finished: Mapped[bool] = mapped_column(default=False)
    # What the runs so far found in the column (service.privacy.rotation.Counts), as JSON.
    counts: Mapped[str] = mapped_column(Text, default="{}")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
