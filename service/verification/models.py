"""Pending actions (join, RSVP, call back) waiting for a texted code, and request keys."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, utcnow


class PendingAction(Base):
    """Something a person asked for on a kiosk or web page, done once their code matches.

    Until the code matches, no contact is written: the row holds the number encrypted and its
    blind index (so limits can count it), and only a keyed hash of the code. A replayed offline
    request (confirmed by a YES reply) does point at a contact, whose conversation holds the
    question.
    """

    __tablename__ = "pending_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The browser's handle for the code step; random, so one person cannot guess another's.
    token: Mapped[str] = mapped_column(String(43), unique=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), index=True
    )
    phone_encrypted: Mapped[str | None] = mapped_column(Text)
    phone_index: Mapped[str | None] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(12))
    network_id: Mapped[int | None] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    occurrence_start: Mapped[dt.datetime | None]
    # The consent wording the person was shown before the code was sent (sensitive networks).
    consent_version: Mapped[str | None] = mapped_column(String(20))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(8), default="en")
    # For a call back: when the person said a call suits them (morning, afternoon, evening).
    good_time: Mapped[str | None] = mapped_column(String(10))
    code_hash: Mapped[str] = mapped_column(String(64))
    # Keyed hash of the asking browser's address: caps how many numbers one browser can text.
    requester_index: Mapped[str | None] = mapped_column(String(64), index=True)
    # True when the request was replayed after the kiosk was offline: confirmed by replying YES.
    by_reply: Mapped[bool] = mapped_column(default=False)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    expires_at: Mapped[dt.datetime]
    completed_at: Mapped[dt.datetime | None]


class RequestKey(Base):
    """An idempotency key a browser sent with a request; a replay returns the first answer."""

    __tablename__ = "request_key"
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("pending_action.id", ondelete="CASCADE")
    )
    # What the first request was answered with, minus anything personal.
    outcome: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class CallerCheck(Base):
    """A code texted to the number a phone call comes from, proving the caller holds that phone.

    Caller ID can be spoofed, so the phone line treats every caller as a stranger until one of
    these matches for the call. Only a keyed hash of the code is kept.
    """

    __tablename__ = "caller_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), index=True
    )
    call_sid: Mapped[str] = mapped_column(String(64), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    expires_at: Mapped[dt.datetime]
    verified_at: Mapped[dt.datetime | None]


class SendRequest(Base):
    """One code or "text me this" someone asked for, as the limits count it.

    Written whether or not a text went out (an opted-out number gets none), so the answer
    and the count are the same for every number.
    """

    __tablename__ = "send_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))
    # Keyed hashes of the asking browser's address and of the number typed; never either one.
    requester_index: Mapped[str | None] = mapped_column(String(64), index=True)
    number_index: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
