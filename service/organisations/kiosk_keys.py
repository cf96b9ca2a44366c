"""Kiosk PCs paired to a site: the public keys their offline requests are sealed with."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.errors import ValidationError
from service.organisations.models import KioskKey, Site
from service.verification.sealing import valid_public_key


def pair_kiosk(session: Session, site: Site, public_key: str) -> KioskKey:
    """Record a kiosk PC's public sealing key for a site; the kiosk keeps the private half."""
    if not isinstance(public_key, str) or not valid_public_key(public_key):
        raise ValidationError("public_key", "must be a raw P-256 public key in base64url")
    key = KioskKey(organisation_id=site.organisation_id, site_id=site.id, public_key=public_key)
    session.add(key)
    session.flush()
    return key


def kiosk_public_key(session: Session, site: Site, kiosk_id: int) -> str | None:
    """The public key of a kiosk paired to this site and not unpaired since, else None."""
    return session.scalar(
        select(KioskKey.public_key).where(
            KioskKey.id == kiosk_id,
            KioskKey.site_id == site.id,
            KioskKey.organisation_id == site.organisation_id,
            KioskKey.revoked_at.is_(None),
        )
    )


def paired_kiosks(session: Session, site: Site) -> list[KioskKey]:
    """The PCs paired to a site and still trusted, oldest first."""
    return list(
        session.scalars(
            select(KioskKey)
            .where(KioskKey.site_id == site.id, KioskKey.revoked_at.is_(None))
            .order_by(KioskKey.id)
        )
    )


def unpair_kiosks(session: Session, site: Site) -> int:
    """Stop trusting every PC paired to a site (a PC replaced, lost or tampered with)."""
    keys = paired_kiosks(session, site)
    for key in keys:
        key.revoked_at = utcnow()
    session.flush()
    return len(keys)
