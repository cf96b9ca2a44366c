"""The speak-up salt: random, one per hour, kept in the queue's storage and never in the database.

Throttle counters and webhook receipts are keyed with it. Because it is not derived from
DATA_KEY and is deleted when its hour ends, someone holding the database, its backups and
every key in the environment still cannot recompute a number's counter key, so the counters
cannot be matched to a contact or to a case. Every web and worker process reads the salt from
the same queue storage (SQLite file on one machine, Redis or PostgreSQL at scale), so they all
count under the same key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
import threading

from service.extensions import huey

log = logging.getLogger(__name__)

PREFIX = "speakup-salt:"
# Hours looked back over when old salts are deleted (a purge that missed a day catches up).
FORGET_HOURS = 48

# Used only while the queue's storage cannot be reached: counts then hold per process.
_fallback: dict[str, bytes] = {}
_fallback_lock = threading.Lock()


def hour_start(now: dt.datetime) -> dt.datetime:
    """The start of the hour a moment falls in: one salt and one set of counters per hour."""
    return now.replace(minute=0, second=0, microsecond=0)


def _key(hour: dt.datetime) -> str:
    return PREFIX + hour.astimezone(dt.UTC).strftime("%Y%m%d%H")


def _stored(key: str) -> bytes | None:
    value = huey.get(key, peek=True)
    return value if isinstance(value, bytes) else None


def salt_for(now: dt.datetime) -> bytes:
    """The salt of the hour now falls in, made on first use by whichever process asks first."""
    key = _key(hour_start(now))
    try:
        salt = _stored(key)
        if salt is None:
            # put_if_empty is atomic in every huey storage: two processes racing agree on one.
            if huey.put_if_empty(key, secrets.token_bytes(32)):
                # A new hour began: the last hour's salt goes now, not at the next purge.
                huey.delete(_key(hour_start(now) - dt.timedelta(hours=1)))
            salt = _stored(key)
        if salt is not None:
            return salt
    except Exception as exc:  # the queue is down: throttle per process rather than not at all
        log.warning("speak-up salt: queue storage unreachable (%s)", type(exc).__name__)
    with _fallback_lock:
        for old in [k for k in _fallback if k != key]:
            del _fallback[old]
        return _fallback.setdefault(key, secrets.token_bytes(32))


def keyed(salt: bytes, purpose: str, value: str) -> str:
    """HMAC of value under the salt, separated by purpose."""
    return hmac.new(salt, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()


def forget_old_salts(now: dt.datetime) -> None:
    """Delete every salt from before this hour (the hourly purge)."""
    hour = hour_start(now)
    for back in range(1, FORGET_HOURS + 1):
        huey.delete(_key(hour - dt.timedelta(hours=back)))
