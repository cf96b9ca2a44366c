"""Where the task queue keeps its tasks, chosen by FRONTLINE_QUEUE_URL: SQLite, Redis or PostgreSQL.

The huey instance itself is service.extensions.huey, configured from this when an app is built.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

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
        return SqliteStorage, {"filename": str(path)}
    if scheme in {"redis", "rediss"}:
        return RedisStorage, {"url": url}
    if scheme in {"postgresql", "postgres"} or scheme.startswith("postgresql+"):
        return PostgresStorage, {"dsn": url.replace("postgresql+psycopg://", "postgresql://", 1)}
    if scheme == "memory":
        return MemoryStorage, {}
    raise ConfigError(f"FRONTLINE_QUEUE_URL {url!r}: use sqlite:///, redis:// or postgresql://")
