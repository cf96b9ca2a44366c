"""Speak-up cases and their messages: no number, no contact, and only one time per case."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base


class SpeakUpCase(Base):
    """A concern raised anonymously; the worker follows it with a code only they hold.

    Deliberately absent: the worker's number or contact, when the case was raised, and any
    time on its messages. last_activity_at is the one time kept, and only as a day, so the
    guardian can see what is waiting and retention can close what is long finished.
    """

    __tablename__ = "speakup_case"
    __table_args__ = (UniqueConstraint("organisation_id", "locator"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    # The code's first characters, to find the case without trying every hash; the rest of
    # the code (65 bits) is checked against the slow hash.
    locator: Mapped[str] = mapped_column(String(8))
    code_hash: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="open")
    # Midnight UTC of the day: a finer time could be matched against a call or message log.
    last_activity_at: Mapped[dt.datetime] = mapped_column(index=True)  # retention's clock
    # False until the guardians' daily e-mail has said a new case is waiting (no time kept).
    alerted: Mapped[bool] = mapped_column(default=False)
    # Deliberately no count of wrong codes and no lock: guessing is slowed per guesser, so
    # nobody can lock the owner out of their case, and the case says nothing about being tried.

    messages: Mapped[list[SpeakUpMessage]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="SpeakUpMessage.id"
    )


class SpeakUpMessage(Base):
    """One message in a case, from the worker or the guardian; encrypted, and without a time."""

    __tablename__ = "speakup_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("speakup_case.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(10))  # worker | guardian
    body_encrypted: Mapped[str] = mapped_column(Text)
    # A guardian's reply the worker has not read yet (they read by texting CASE and the code).
    unread: Mapped[bool] = mapped_column(default=False)
    # A message left on the phone line: its audio, copied from Twilio and encrypted like the
    # body, after which Twilio's recording and call record are deleted. No recording URL, SID
    # or CallSid is kept: each could be looked up at Twilio to find the caller's number.
    voice: Mapped[bool] = mapped_column(default=False)
    audio_encrypted: Mapped[str | None] = mapped_column(Text)
    audio_type: Mapped[str | None] = mapped_column(String(40))

    case: Mapped[SpeakUpCase] = relationship(back_populates="messages")


class SpeakUpThrottle(Base):
    """Tries from one number or kiosk in one window (a minute or an hour), under a keyed hash.

    The key is an HMAC under the hour's random salt, which lives only in the queue's storage
    and is deleted when the hour ends (service.speakup.salt). Rows go at the hourly purge.
    """

    __tablename__ = "speakup_throttle"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    window_start: Mapped[dt.datetime]
    count: Mapped[int] = mapped_column(default=0)


class SpeakUpReceipt(Base):
    """A speak-up text already handled, so a retried webhook raises no second case.

    Found by an HMAC of the MessageSid (or RecordingSid) under the hour's salt, not the sid
    itself, which could be looked up at Twilio; purged when the hour ends.
    """

    __tablename__ = "speakup_receipt"

    sid_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Rounded to the hour: enough to purge by, too coarse to match against a message log.
    received_hour: Mapped[dt.datetime]
    case_id: Mapped[int | None] = mapped_column(ForeignKey("speakup_case.id", ondelete="SET NULL"))
