"""The content store: networks, events, support lines, announcements and their translations."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.content.colours import PALETTE
from service.db import Base, utcnow
from service.organisations.models import Organisation, Site


class Network(Base):
    """A staff network: careers, carers, mental-health peer support, LGBT+ and so on."""

    __tablename__ = "network"
    __table_args__ = (UniqueConstraint("organisation_id", "slug"),)
    translatable = ("name", "short_description", "long_description", "discreet_name")

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("network.id", ondelete="SET NULL"))
    slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    short_description: Mapped[str] = mapped_column(String(300))
    long_description: Mapped[str] = mapped_column(Text, default="")
    # Membership reveals health, disability, sexuality or ethnicity: consent and discretion apply.
    sensitive: Mapped[bool] = mapped_column(default=False)
    discreet_name: Mapped[str] = mapped_column(String(200), default="")
    # The band across its poster ("#1F4E9C"), so it stands out on a crowded noticeboard;
    # checked for contrast (service.content.colours) whenever it is set.
    colour: Mapped[str] = mapped_column(String(7), default=PALETTE[0])
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    parent: Mapped[Network | None] = relationship(remote_side=[id])
    keywords: Mapped[list[NetworkKeyword]] = relationship(
        back_populates="network", cascade="all, delete-orphan", order_by="NetworkKeyword.id"
    )


class NetworkKeyword(Base):
    """A word that names a network in SMS; unique within the organisation in every language."""

    __tablename__ = "network_keyword"
    __table_args__ = (UniqueConstraint("organisation_id", "word"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    network_id: Mapped[int] = mapped_column(
        ForeignKey("network.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(String(8))
    # Stored folded (upper case, no accents) so DOŁĄCZ and DOLACZ are the same word.
    word: Mapped[str] = mapped_column(String(40))

    network: Mapped[Network] = relationship(back_populates="keywords")


class Event(Base):
    """A meeting of a network, once or recurring, in person and/or by phone."""

    __tablename__ = "event"
    translatable = ("title", "description", "place")

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    network_id: Mapped[int | None] = mapped_column(
        ForeignKey("network.id", ondelete="CASCADE"), index=True
    )
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(300), default="")
    # The first occurrence, in UTC; a recurrence is expanded in the organisation's local time.
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    rrule: Mapped[str | None] = mapped_column(String(500))
    dial_in_number: Mapped[str | None] = mapped_column(String(20))
    dial_in_pin: Mapped[str | None] = mapped_column(String(20))
    capacity: Mapped[int | None]
    # A recording the phone line plays instead of reading the text (a lead's own voice).
    audio_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    network: Mapped[Network | None] = relationship()
    site: Mapped[Site | None] = relationship()
    skipped: Mapped[list[SkippedDate]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="SkippedDate.day",
    )


class SkippedDate(Base):
    """A date a repeating event does not happen (a bank holiday, Christmas): RFC 5545's EXDATE."""

    __tablename__ = "event_skip"
    __table_args__ = (UniqueConstraint("event_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    # The local calendar day, not the UTC start: a skipped Christmas stays skipped when the
    # lead later moves the meeting's time (rules repeat daily at most, so a day is one date).
    day: Mapped[dt.date]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    event: Mapped[Event] = relationship(back_populates="skipped")


class SupportLine(Base):
    """A number staff can call for help; crisis lines are always listed first."""

    __tablename__ = "support_line"
    translatable = ("name", "hours", "description")

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20))
    hours: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    crisis: Mapped[bool] = mapped_column(default=False)
    always_open: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)


class Announcement(Base):
    """A notice for the whole organisation or one network, live within its window."""

    __tablename__ = "announcement"
    translatable = ("body",)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    network_id: Mapped[int | None] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    publish_from: Mapped[dt.datetime]
    publish_until: Mapped[dt.datetime | None]
    # A recording the phone line plays instead of reading the text.
    audio_url: Mapped[str | None] = mapped_column(String(500))


class Translation(Base):
    """One field of one content row in one language; English lives on the row itself."""

    __tablename__ = "translation"
    __table_args__ = (
        UniqueConstraint("owner_table", "owner_id", "field", "language"),
        Index("ix_translation_owner", "owner_table", "owner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_table: Mapped[str] = mapped_column(String(40))
    owner_id: Mapped[int]
    field: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    # Machine or draft translations stay unreviewed until a person checks them.
    reviewed: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
