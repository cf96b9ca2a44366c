"""A broadcast: composed once, rendered per member's language and discretion, sent per person."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, utcnow

AUDIENCES = ("organisation", "site", "networks")


class Broadcast(Base):
    """A message to an organisation, a site's people, or the members of some networks."""

    __tablename__ = "broadcast"
    translatable = ("body",)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    created_by: Mapped[int | None] = mapped_column(ForeignKey("manager.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(String(12))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id", ondelete="SET NULL"))
    network_ids: Mapped[list[int] | None] = mapped_column(default=None)
    # Languages with no translation whose members the lead chose to hold rather than send the
    # English: they get nothing until that language's text is added, then only they are sent it.
    held_languages: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    # Urgent broadcasts ignore quiet hours (a depot closed by snow at 06:00).
    urgent: Mapped[bool] = mapped_column(default=False)
    scheduled_for: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(String(12), default="draft")
    recipients: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]
    # The fan-out runs in workers, in batches of contacts by id: the last contact id written
    # (None until it starts), the outbox rows written so far, and when the last batch was.
    fan_out_after: Mapped[int | None]
    fanned_out: Mapped[int] = mapped_column(default=0, server_default="0")
    fanned_out_at: Mapped[dt.datetime | None]


class BroadcastTally(Base):
    """A broadcast's texts in one outbox status: kept by database triggers (migration 0038).

    Every change to an outbox row moves these counts in the same transaction, however it was
    made, so the progress poll adds up a few rows instead of counting the broadcast's texts.
    A status's count is the sum over its slots (on PostgreSQL each backend adds to its own).
    """

    __tablename__ = "broadcast_tally"
    __table_args__ = (UniqueConstraint("broadcast_id", "status", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcast.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12))
    slot: Mapped[int]
    count: Mapped[int]
