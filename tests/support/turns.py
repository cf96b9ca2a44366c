"""SQLite writers' turns (service.db.TurnTakingConnection), as another process sees them."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager


def _turns(path: object) -> int:
    return os.open(f"{os.fspath(path)}-writers", os.O_RDWR | os.O_CREAT, 0o600)


def turn_is_free(path: object) -> bool:
    """Whether another process's writer would have its turn at once (nobody holds it)."""
    turns = _turns(path)
    try:
        fcntl.flock(turns, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(turns)  # and with it the lock, if it was had
    return True


@contextmanager
def turn_held(path: object) -> Iterator[None]:
    """Hold the writers' turn of the SQLite file at path, as a writer of another process would."""
    turns = _turns(path)
    try:
        fcntl.flock(turns, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
    finally:
        os.close(turns)
