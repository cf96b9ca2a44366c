"""Sealed numbers: a kiosk that is offline encrypts a number so only the server can read it.

The kiosk keeps a queued request in IndexedDB until the network returns. Whoever uses the PC
next must not be able to read the number in it, so the page encrypts it to the server's public
key (ECDH P-256, HKDF-SHA256, AES-256-GCM: what WebCrypto offers in every browser) and only
the ciphertext is stored. The key pair is derived from DATA_KEY, so every web process agrees
on it without another secret to deploy.
"""

from __future__ import annotations

import base64
import json
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from service.errors import ValidationError

# The HKDF "info" both sides use; the kiosk script carries the same bytes.
INFO = b"frontline kiosk queue v1"
_ORDER = int("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16)


class SealError(ValidationError):
    """A sealed value that cannot be opened (tampered with, or sealed to an older key)."""

    def __init__(self) -> None:
        super().__init__("sealed", "the queued request could not be read")


@lru_cache(maxsize=4)
def _private_key(data_key: str) -> ec.EllipticCurvePrivateKey:
    seed = HKDF(algorithm=hashes.SHA256(), length=48, salt=None, info=b"frontline seal v1").derive(
        data_key.encode()
    )
    # 384 bits reduced modulo the 256-bit group order: uniform enough, and never zero.
    return ec.derive_private_key(int.from_bytes(seed, "big") % (_ORDER - 1) + 1, ec.SECP256R1())


def public_key(data_key: str) -> str:
    """The server's public key, raw and base64url, for the page to encrypt to."""
    raw = (
        _private_key(data_key)
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key(shared: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"", info=INFO).derive(shared)


def open_sealed(data_key: str, sealed: dict) -> dict:
    """The JSON object a page sealed: {"epk", "iv", "ct"} in, the plaintext object out."""
    try:
        peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _b64(sealed["epk"]))
        shared = _private_key(data_key).exchange(ec.ECDH(), peer)
        plain = AESGCM(_key(shared)).decrypt(_b64(sealed["iv"]), _b64(sealed["ct"]), None)
        value = json.loads(plain)
    except (KeyError, TypeError, ValueError, InvalidTag) as exc:
        raise SealError() from exc
    if not isinstance(value, dict):
        raise SealError()
    return value


def seal(data_key: str, value: dict) -> dict:
    """Seal a value as the kiosk does (used by tests and the benchmark)."""
    import os

    ephemeral = ec.generate_private_key(ec.SECP256R1())
    server = _private_key(data_key).public_key()
    iv = os.urandom(12)
    ct = AESGCM(_key(ephemeral.exchange(ec.ECDH(), server))).encrypt(
        iv, json.dumps(value).encode(), None
    )
    epk = ephemeral.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )

    def enc(b: bytes) -> str:
        return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

    return {"epk": enc(epk), "iv": enc(iv), "ct": enc(ct)}
