"""Calls to the phone line: their status as Twilio reports it (no recordings, no numbers)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, utcnow


class VoiceCall(Base):
    """One call, recorded from Twilio's status callbacks."""

    __tablename__ = "voice_call"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    # Indexed: FORGET ME finds a caller's calls by contact, the retention purge by start.
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default="in-progress")
    duration_seconds: Mapped[int | None]
    language: Mapped[str | None] = mapped_column(String(8))
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class VoiceNewsHeard(Base):
    """A number heard the line's news on a local day, so it is read once a day, not every call.

    The marker is a keyed hash of organisation, day and number under a purpose key of its own:
    it cannot be turned back into the number nor joined to a contact, and a new day's hash of
    the same number is unrelated to yesterday's. Rows from earlier days are deleted as new ones
    are written.
    """

    __tablename__ = "voice_news_heard"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    marker: Mapped[str] = mapped_column(String(64), unique=True)
    heard_on: Mapped[dt.date]
