"""argon2id for manager passwords and speak-up codes, at the cost the configuration names."""

from __future__ import annotations

import dataclasses
from functools import cache

from argon2 import PasswordHasher, profiles

# "rfc9106": RFC 9106's second recommended profile (64 MiB, 3 passes), the library's default.
# "cheapest": 8 KiB and one pass, for the test suite only, where hashing is not what is tested
# (production refuses it; a hash made at either cost verifies at the other).
PROFILES = {
    "rfc9106": profiles.RFC_9106_LOW_MEMORY,
    "cheapest": dataclasses.replace(profiles.CHEAPEST, salt_len=16, hash_len=32),
}
_hasher = PasswordHasher.from_parameters(PROFILES["rfc9106"])


def configure(profile: str) -> None:
    """Hash at a named profile's cost from now on (create_app calls it with the config's)."""
    global _hasher
    _hasher = PasswordHasher.from_parameters(PROFILES[profile])


def hasher() -> PasswordHasher:
    """The hasher at the configured cost."""
    return _hasher


@cache
def _dummy(hasher: PasswordHasher) -> str:
    return hasher.hash("not a real password, only here to spend the same time")


def dummy_hash() -> str:
    """A hash of nothing anyone knows: checking it spends a real check's time."""
    return _dummy(_hasher)
