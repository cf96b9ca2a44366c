"""Sealed requests: a kiosk that is offline seals a whole request so only the server can open it.

The kiosk keeps a queued request in IndexedDB until the network returns. Whoever uses the PC
next must not be able to read it (the number, nor what was asked for: joining the LGBT+ network
says something), and nobody but that kiosk may make one: the service texts the number a question
on the kiosk's word. So the page seals the whole request with HPKE (RFC 9180) in auth mode:

- suite: DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM (WebCrypto has all three; the kiosk
  uses @hpke/core, bundled into kiosk/static/hpke.js, and the server pyhpke);
- recipient: the server's key pair, derived from DATA_KEY, so every web process agrees on it
  without another secret to deploy; its public half is not a secret;
- sender: the kiosk PC's own key pair, made in its browser as non-extractable when a site manager
  paired the PC from the console (organisations.models.KioskKey holds the public half). Auth
  mode mixes DH(kiosk, server) into the key, so a request sealed without a paired kiosk's
  private key (from a public page, say) does not open;
- info: INFO, a fixed label for this use;
- AEAD associated data: the organisation, site and kiosk ids and an expiry (`aad()`), sent
  beside the ciphertext. The server rebuilds it from the URL's site and refuses a blob posted to
  another site, claimed for another kiosk, or after its expiry. What was asked for (the action,
  network or event, the number) is inside the plaintext, under the same tag: it cannot be
  changed or moved to another request, and unlike associated data it is not left readable.

The private key cannot be read out of the kiosk's browser, but whoever sits at the PC can use
it: a blob from the kiosk's own screen is trusted only as far as the kiosk is, and the member
still confirms by replying YES with the one-off number in the text (verification.by_reply).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from functools import lru_cache

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pyhpke import AEADId, CipherSuite, KDFId, KEMId, KEMKey
from pyhpke.exceptions import PyHPKEError

from service.errors import ValidationError

# The HPKE "info" both sides use; the kiosk script carries the same bytes.
INFO = b"frontline kiosk queue v2"
VERSION = 2
# How long a queued request may wait for the network; the expiry is sealed with it.
LIFETIME = dt.timedelta(hours=24)
# A kiosk's clock may run a little ahead of the server's.
CLOCK_SKEW = dt.timedelta(minutes=10)
SUITE = CipherSuite.new(KEMId.DHKEM_P256_HKDF_SHA256, KDFId.HKDF_SHA256, AEADId.AES128_GCM)
_ORDER = int("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16)


class SealError(ValidationError):
    """A sealed value that cannot be opened (forged, tampered with, moved, or out of date)."""

    def __init__(self) -> None:
        super().__init__("sealed", "the queued request could not be read")


@lru_cache(maxsize=4)
def _private_key(data_key: str) -> ec.EllipticCurvePrivateKey:
    seed = HKDF(algorithm=hashes.SHA256(), length=48, salt=None, info=b"frontline seal v1").derive(
        data_key.encode()
    )
    # 384 bits reduced modulo the 256-bit group order: uniform enough, and never zero.
    return ec.derive_private_key(int.from_bytes(seed, "big") % (_ORDER - 1) + 1, ec.SECP256R1())


def _raw(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def b64(data: bytes) -> str:
    """Unpadded base64url, as the page writes it."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    """Bytes from unpadded base64url."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_key(data_key: str) -> str:
    """The server's public key, raw and base64url, for a kiosk to seal to."""
    return b64(_raw(_private_key(data_key).public_key()))


def valid_public_key(text: str) -> bool:
    """True when text is a raw P-256 public point in base64url (what a kiosk registers)."""
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(text))
    except (ValueError, TypeError):
        return False
    return len(text) <= 100


def aad(org_id: int, site_id: int, kiosk_id: int, expires: int) -> bytes:
    """The associated data a kiosk seals with: which kiosk, where, and until when."""
    return f"{INFO.decode()}|org {org_id}|site {site_id}|kiosk {kiosk_id}|exp {expires}".encode()


def envelope_kiosk(envelope: object) -> int:
    """The kiosk id an envelope claims; SealError when it is not an envelope at all."""
    if not isinstance(envelope, dict) or envelope.get("v") != VERSION:
        raise SealError()
    kiosk = envelope.get("kiosk")
    if not isinstance(kiosk, int) or isinstance(kiosk, bool):
        raise SealError()
    return kiosk


def open_sealed(
    data_key: str,
    envelope: dict,
    *,
    kiosk_public_key: str,
    org_id: int,
    site_id: int,
    now: dt.datetime,
) -> dict:
    """The request a paired kiosk sealed: {"v", "kiosk", "exp", "enc", "ct"} in, the object out."""
    kiosk = envelope_kiosk(envelope)
    expires = envelope.get("exp")
    if not isinstance(expires, int) or isinstance(expires, bool):
        raise SealError()
    moment = now.timestamp()
    if not moment <= expires <= moment + (LIFETIME + CLOCK_SKEW).total_seconds():
        raise SealError()
    try:
        sender = SUITE.kem.deserialize_public_key(unb64(kiosk_public_key))
        recipient = KEMKey.from_pyca_cryptography_key(_private_key(data_key))
        context = SUITE.create_recipient_context(
            unb64(envelope["enc"]), recipient, info=INFO, pks=sender
        )
        plain = context.open(unb64(envelope["ct"]), aad=aad(org_id, site_id, kiosk, expires))
        value = json.loads(plain)
    except (KeyError, TypeError, ValueError, PyHPKEError) as exc:
        raise SealError() from exc
    if not isinstance(value, dict):
        raise SealError()
    return value


def seal(
    data_key: str,
    value: dict,
    *,
    kiosk_private_key: ec.EllipticCurvePrivateKey | None,
    org_id: int,
    site_id: int,
    kiosk_id: int,
    expires: int,
) -> dict:
    """Seal a value as a kiosk does (tests and the benchmark; None seals without a kiosk key)."""
    sender = KEMKey.from_pyca_cryptography_key(kiosk_private_key) if kiosk_private_key else None
    recipient = KEMKey.from_pyca_cryptography_key(_private_key(data_key).public_key())
    enc, context = SUITE.create_sender_context(recipient, info=INFO, sks=sender)
    ct = context.seal(json.dumps(value).encode(), aad=aad(org_id, site_id, kiosk_id, expires))
    return {"v": VERSION, "kiosk": kiosk_id, "exp": expires, "enc": b64(enc), "ct": b64(ct)}


def raw_public_key(private: ec.EllipticCurvePrivateKey) -> str:
    """A key pair's public half as a kiosk registers it (tests)."""
    return b64(_raw(private.public_key()))
