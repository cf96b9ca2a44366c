"""Field encryption and the keyed blind index that finds encrypted phone numbers."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.orm import Session

SESSION_KEY = "vault"


class DecryptionError(Exception):
    """A stored value cannot be read with the configured keys."""


def _derive(data_key: str, purpose: bytes) -> bytes:
    # One secret in the environment, separate keys per purpose: leaking the index key
    # must not help decrypt, and vice versa.
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        data_key.encode()
    )


class Vault:
    """Encrypts personal fields with DATA_KEY and computes their blind index."""

    def __init__(self, data_key: str, *, old_keys: tuple[str, ...] = ()) -> None:
        if not data_key:
            raise ValueError("a data key is required")
        keys = (data_key, *old_keys)
        fernets = [
            Fernet(base64.urlsafe_b64encode(_derive(k, b"frontline field v1"))) for k in keys
        ]
        self._current = fernets[0]
        self._fernet = MultiFernet(fernets)
        # One index key per data key: mid-rotation a row may still carry an old key's index.
        self._index_keys = tuple(_derive(k, b"frontline blind index v1") for k in keys)
        self._index_key = self._index_keys[0]
        self._data_key = data_key
        self._purpose_keys: dict[str, bytes] = {}

    def encrypt(self, plaintext: str) -> str:
        """Encrypt a value for storage."""
        return self._fernet.encrypt(plaintext.encode()).decode()

    def encrypt_bytes(self, data: bytes) -> str:
        """Encrypt binary content (a voice message's audio) for storage."""
        return self._fernet.encrypt(data).decode()

    def decrypt_bytes(self, token: str) -> bytes:
        """Decrypt stored binary content."""
        try:
            return self._fernet.decrypt(token.encode())
        except InvalidToken as exc:
            raise DecryptionError("stored value does not decrypt with the data key") from exc

    def decrypt(self, token: str) -> str:
        """Decrypt a stored value."""
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise DecryptionError("stored value does not decrypt with the data key") from exc

    @property
    def has_old_keys(self) -> bool:
        """True when old data keys are configured, i.e. a rotation is under way."""
        return len(self._index_keys) > 1

    def rotate(self, token: str) -> str | None:
        """The value encrypted under the current key, or None when it already is.

        Raises DecryptionError when no configured key reads it.
        """
        try:
            self._current.decrypt(token.encode())
            return None
        except InvalidToken:
            pass
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken as exc:
            raise DecryptionError("stored value does not decrypt with any data key") from exc

    def blind_index(self, plaintext: str) -> str:
        """A keyed hash that finds a value without decrypting anything."""
        return hmac.new(self._index_key, plaintext.encode(), hashlib.sha256).hexdigest()

    def blind_indexes(self, plaintext: str) -> tuple[str, ...]:
        """The value's blind index under the current key, then under each old key."""
        return tuple(
            hmac.new(key, plaintext.encode(), hashlib.sha256).hexdigest()
            for key in self._index_keys
        )

    def purpose_hash(self, purpose: str, plaintext: str) -> str:
        """A keyed hash under a key of its own purpose, which the blind index cannot match.

        Speak-up throttles count a number's guesses without storing anything that could be
        joined to the contact table.
        """
        # Current key only, and never rotated: throttle counts and receipts live an hour or
        # so, and after a key change they merely start afresh (a short grace for guessers).
        key = self._purpose_keys.get(purpose)
        if key is None:
            key = self._purpose_keys[purpose] = _derive(self._data_key, purpose.encode())
        return hmac.new(key, plaintext.encode(), hashlib.sha256).hexdigest()


def vault_of(session: Session) -> Vault:
    """The vault a session was opened with."""
    try:
        return session.info[SESSION_KEY]
    except KeyError:
        raise RuntimeError("session has no vault; open it with the app's sessionmaker") from None
