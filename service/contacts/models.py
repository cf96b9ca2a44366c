"""Contacts (phone numbers, encrypted) and their memberships of networks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from service.content.models import Network
from service.crypto import vault_of
from service.db import Base, utcnow


class Contact(Base):
    """A phone number that has talked to one organisation; the number itself is encrypted."""

    __tablename__ = "contact"
    __table_args__ = (
        UniqueConstraint("organisation_id", "phone_index"),
        # The people a broadcast can reach, in id order: its fan-out's batches and its
        # preview's counts read this index alone (migration 0033).
        Index(
            "ix_contact_reachable",
            "organisation_id",
            "id",
            postgresql_include=["language", "discreet", "site_id"],
            postgresql_where=text("opted_out_at IS NULL AND unusable_at IS NULL"),
            sqlite_where=text("opted_out_at IS NULL AND unusable_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    phone_encrypted: Mapped[str] = mapped_column(Text)
    # HMAC-SHA256 of the E.164 number under a key derived from DATA_KEY.
    phone_index: Mapped[str] = mapped_column(String(64), index=True)
    language: Mapped[str] = mapped_column(String(8), default="en")
    # A discreet contact never sees a sensitive network named in a message.
    discreet: Mapped[bool] = mapped_column(default=False)
    opted_out_at: Mapped[dt.datetime | None]
    # Twilio said the number cannot take texts (invalid, landline): never try again.
    unusable_at: Mapped[dt.datetime | None]
    # The site a worker is reached at, when known (they joined at its kiosk, or said so).
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # How many networks the contact belongs to: kept by database triggers with the reach
    # counts (service.reach.models.ReachMembers), never written by the application.
    network_count: Mapped[int] = mapped_column(default=0, server_default="0")

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def phone(self) -> str:
        """The E.164 number, decrypted with the session's vault."""
        session = object_session(self)
        if session is None:
            raise RuntimeError("contact is detached; its number cannot be decrypted")
        return vault_of(session).decrypt(self.phone_encrypted)


class Membership(Base):
    """A contact's membership of a network, with the consent that allowed it."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("contact_id", "network_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    network_id: Mapped[int] = mapped_column(
        ForeignKey("network.id", ondelete="CASCADE"), index=True
    )
    joined_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    channel: Mapped[str] = mapped_column(String(10))
    # Consent record, required for sensitive networks: which wording, when, through which channel.
    consent_version: Mapped[str | None] = mapped_column(String(20))
    consent_at: Mapped[dt.datetime | None]
    consent_channel: Mapped[str | None] = mapped_column(String(10))

    contact: Mapped[Contact] = relationship(back_populates="memberships")
    network: Mapped[Network] = relationship()
