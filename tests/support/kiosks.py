"""A paired kiosk PC for tests: its key pair, and requests sealed as its page seals them."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from service.db import utcnow
from service.organisations.kiosk_keys import pair_kiosk
from service.organisations.models import Site
from service.verification import operations as verification
from service.verification.sealing import LIFETIME, raw_public_key, seal
from tests.support.settings import TEST_DATA_KEY


@dataclass
class PairedKiosk:
    """A kiosk PC paired to a site, sealing as frontline.js does."""

    org_id: int
    site_id: int
    kiosk_id: int
    private_key: ec.EllipticCurvePrivateKey

    def seal(self, request: dict, *, expires: int | None = None, **where) -> dict:
        """The envelope the page would queue and post to /api/queued."""
        bound = {"org_id": self.org_id, "site_id": self.site_id, "kiosk_id": self.kiosk_id}
        bound.update(where)
        expires = expires or int((utcnow() + LIFETIME).timestamp()) - 60
        return seal(
            TEST_DATA_KEY, request, kiosk_private_key=self.private_key, expires=expires, **bound
        )


def paired(session, slug: str) -> PairedKiosk:
    """Pair a fresh key pair to a site, as the console's Kiosks page does."""
    site = session.scalar(select(Site).where(Site.slug == slug))
    private = ec.generate_private_key(ec.SECP256R1())
    key = pair_kiosk(session, site, raw_public_key(private))
    session.commit()
    return PairedKiosk(site.organisation_id, site.id, key.id, private)


def start_kiosk_join(session, org, national: str, network_id: int, site_id: int):
    """Ask to join a network at a site's kiosk, as its page does: a code is texted."""
    return verification.start_action(
        session,
        org,
        national,
        verification.Target("join", network_id=network_id),
        asker=verification.Asker("kiosk", "10.0.0.9", per_hour=50),
        language="en",
        site_id=site_id,
    )
