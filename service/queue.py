"""Where the task queue keeps its tasks, chosen by FRONTLINE_QUEUE_URL: SQLite, Redis or PostgreSQL.

The huey instance itself is service.extensions.huey, configured from this when an app is built.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from huey import Huey
from huey.storage import (
    BaseStorage,
    MemoryStorage,
    PostgresStorage,
    RedisStorage,
    SqliteStorage,
)

from service.config import Config, ConfigError


def storage_for(config: Config) -> tuple[type[BaseStorage], dict[str, object]]:
    """The huey storage class and its arguments for the configured queue URL."""
    url = config.queue_url
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteQueueStorage, {"filename": str(path)}
    if scheme in {"redis", "rediss"}:
        return RedisStorage, {"url": url}
    if scheme in {"postgresql", "postgres"} or scheme.startswith("postgresql+"):
        return PostgresStorage, {"dsn": url.replace("postgresql+psycopg://", "postgresql://", 1)}
    if scheme == "memory":
        return MemoryStorage, {}
    raise ConfigError(f"FRONTLINE_QUEUE_URL {url!r}: use sqlite:///, redis:// or postgresql://")


class SqliteQueueStorage(SqliteStorage):
    """huey's SQLite storage, which can also take many tasks in one transaction.

    Each task put alone is a commit, and a commit waits for the disk: about 6 ms, so the
    20,000 send tasks of a million-person broadcast took two minutes to queue on their own.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._gathering = threading.local()

    def enqueue(self, data, priority=None) -> None:
        """Put one task on the queue, or keep it for the transaction of `together`."""
        gathered = getattr(self._gathering, "tasks", None)
        if gathered is None:
            super().enqueue(data, priority)
        else:
            gathered.append((self.name, self.to_blob(data), priority or 0))

    @contextmanager
    def together(self) -> Iterator[None]:
        """Tasks put in this block are written at its end, in one transaction."""
        self._gathering.tasks = []
        try:
            yield
        finally:
            gathered, self._gathering.tasks = self._gathering.tasks, None
            if gathered:
                # The statement SqliteStorage.enqueue runs for one task, for all of them.
                with self.db(commit=True) as cursor:
                    cursor.executemany(
                        "insert into task (queue, data, priority) values (?, ?, ?)", gathered
                    )


@contextmanager
def enqueued_together(queue: Huey) -> Iterator[None]:
    """Tasks put on the queue in this block reach its storage in one write where it can."""
    together = getattr(queue.storage, "together", None)
    if together is None or queue.immediate:
        yield
        return
    with together():
        yield
