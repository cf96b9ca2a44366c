"""Case codes: 16 characters a worker can read out and type, holding 65 bits of secret."""

from __future__ import annotations

import secrets

from argon2.exceptions import InvalidHashError, VerificationError

from service import hashing
from service.languages import ascii_digits

# Crockford's base32: digits and capitals without I, L, O and U, so nothing looks alike.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LOCATOR_LENGTH = 3  # 15 bits to find the case without trying every hash
SECRET_LENGTH = 13  # 65 bits that only the worker holds
LENGTH = LOCATOR_LENGTH + SECRET_LENGTH
# Misreadings people make, mapped the way Crockford's decoding does.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def new_code() -> str:
    """A fresh code, as stored characters (no separators)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def shown(code: str) -> str:
    """The code as a person reads it: four groups of four, 7KQ2-M9XD-4HTB-WR3P."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise(typed: str) -> str | None:
    """What someone typed, as stored characters; None when it cannot be a code."""
    # Digits typed in another script (۷KQ۲ on an Urdu keyboard) are the same digits.
    typed = ascii_digits(typed)
    cleaned = "".join(ch for ch in typed.upper() if ch.isalnum()).translate(_READ_AS)
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def locator(code: str) -> str:
    """The part of a code that finds its case."""
    return code[:LOCATOR_LENGTH]


def hash_code(code: str) -> str:
    """The slow hash stored instead of the code.

    argon2id at RFC 9106's cost (64 MiB, 3 passes; service/hashing.py): slow enough that a
    stolen table cannot be walked through 2^65 codes, quick enough for one text (~50 ms).
    """
    return hashing.hasher().hash(code)


def matches(code: str, stored_hash: str) -> bool:
    """Whether a typed code is the one behind the stored hash."""
    try:
        return hashing.hasher().verify(stored_hash, code)
    except (VerificationError, InvalidHashError):
        return False
