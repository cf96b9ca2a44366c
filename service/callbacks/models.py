"""Requests for a network lead (or the organisation) to call a member back."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.content.models import Network
from service.db import Base, utcnow


class CallbackRequest(Base):
    """A member asked to be called; the console works through these per network."""

    __tablename__ = "callback_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), index=True
    )
    network_id: Mapped[int | None] = mapped_column(
        ForeignKey("network.id", ondelete="SET NULL"), index=True
    )
    channel: Mapped[str] = mapped_column(String(10))
    # Where the member works (the kiosk's site, or the one on their contact) and the language
    # to call them in: a site manager sees their own site's requests, the caller speaks theirs.
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("site.id", ondelete="SET NULL"), index=True
    )
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    # When the member said a call suits them: morning, afternoon, evening or any.
    good_time: Mapped[str] = mapped_column(String(10), default="any", server_default="any")
    # What the handler wrote (encrypted: it may name the member) and how the call went.
    notes_encrypted: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(16))
    # Set once the people who handle it were e-mailed (or the alert was given up on).
    alerted_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(String(12), default="open")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(index=True)  # the retention purge's clock
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("manager.id", ondelete="SET NULL"))
    # The bridged call a lead placed from the console, and how many times they tried.
    callback_call_sid: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    last_attempt_at: Mapped[dt.datetime | None]
    # A voicemail left on the phone line: Twilio's recording, found again by its SID.
    call_sid: Mapped[str | None] = mapped_column(String(64))
    recording_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    recording_url: Mapped[str | None] = mapped_column(String(500))
    recording_seconds: Mapped[int | None]

    network: Mapped[Network | None] = relationship()
