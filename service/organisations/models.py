"""Organisations, the phone numbers they own, and their sites."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, utcnow


class Organisation(Base):
    """An employer whose staff the service reaches; one deployment may serve several."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    default_language: Mapped[str] = mapped_column(String(8), default="en")
    # Posters name sensitive networks by their discreet names (a noticeboard is public).
    print_discreet_names: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Changes whenever the organisation's content does (service.content.version): each process
    # caches what members see under this token and reads it with the row, once per request.
    content_version: Mapped[int] = mapped_column(
        BigInteger, default=lambda: secrets.randbits(53), server_default="0"
    )

    numbers: Mapped[list[OrganisationNumber]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )
    sites: Mapped[list[Site]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="Site.name"
    )


class OrganisationNumber(Base):
    """A Twilio number; the number a message or call arrives on selects the organisation."""

    __tablename__ = "organisation_number"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    e164: Mapped[str] = mapped_column(String(20), unique=True)
    sms: Mapped[bool] = mapped_column(default=True)
    voice: Mapped[bool] = mapped_column(default=True)

    organisation: Mapped[Organisation] = relationship(back_populates="numbers")


class Site(Base):
    """A depot, care home or office where staff work (and where a kiosk may stand)."""

    __tablename__ = "site"
    __table_args__ = (UniqueConstraint("organisation_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(400), default="")
    kiosk_enabled: Mapped[bool] = mapped_column(default=False)
    default_language: Mapped[str] = mapped_column(String(8), default="en")
    # SHA-256 of the credential the console issued to this site's kiosk PC: only a request
    # carrying it gets the kiosk's shift-sized limits, not anyone who knows the kiosk's path.
    kiosk_key_hash: Mapped[str | None] = mapped_column(String(64))
    kiosk_key_issued_at: Mapped[dt.datetime | None]
    # How many staff work here, as an admin entered it: a number, never who. Reach shows the
    # people reached as a share of it; None until someone enters it.
    headcount: Mapped[int | None]

    organisation: Mapped[Organisation] = relationship(back_populates="sites")


class KioskKey(Base):
    """A kiosk PC's public sealing key, recorded when a manager paired that PC from the console.

    The private half was made in the kiosk's browser and cannot be read out of it; a request the
    kiosk queued offline opens only with the key of a kiosk paired to the site it is posted to.
    """

    __tablename__ = "kiosk_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    # The raw uncompressed P-256 point, base64url: 87 characters.
    public_key: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]
