"""The huey instance, chosen by FRONTLINE_QUEUE_URL: SQLite file, Redis or PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from huey import Huey, MemoryHuey, PostgresHuey, RedisHuey, SqliteHuey

from service.config import Config, ConfigError, from_env


def build_huey(config: Config) -> Huey:
    """A huey for the configured queue URL (immediate mode when the config asks for it)."""
    url = config.queue_url
    scheme = urlsplit(url).scheme
    immediate = config.QUEUE_IMMEDIATE
    if scheme == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey("frontline", filename=str(path), immediate=immediate)
    if scheme in {"redis", "rediss"}:
        return RedisHuey("frontline", url=url, immediate=immediate)
    if scheme in {"postgresql", "postgres"} or scheme.startswith("postgresql+"):
        dsn = url.replace("postgresql+psycopg://", "postgresql://", 1)
        return PostgresHuey("frontline", dsn=dsn, immediate=immediate)
    if scheme == "memory":
        return MemoryHuey("frontline", immediate=immediate)
    raise ConfigError(f"FRONTLINE_QUEUE_URL {url!r}: use sqlite:///, redis:// or postgresql://")


# Tasks register on this instance at import; workers and web processes build it the same way.
# FRONTLINE_ENV is not required here: whatever imports this builds the app next, which is
# where a missing one stops start-up with its message.
huey = build_huey(from_env(require_env=False))
