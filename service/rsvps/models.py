"""RSVPs to single occurrences of (possibly recurring) events."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.content.models import Event
from service.db import Base, utcnow


class Rsvp(Base):
    """A contact is going to one occurrence of an event."""

    __tablename__ = "rsvp"
    __table_args__ = (UniqueConstraint("contact_id", "event_id", "occurrence_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    # The occurrence's start in UTC identifies it within a recurring series.
    occurrence_start: Mapped[dt.datetime]
    channel: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    event: Mapped[Event] = relationship()
