"""The cluster the reliability suite runs against: `make cluster` on a new database and Redis db."""

from __future__ import annotations

import secrets
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from bench.cluster import running_cluster
from tests.support.cluster import ACCOUNT_SID, POSTGRES_URL, REDIS_URL, SEND_WINDOW, LiveCluster
from tests.support.fake_twilio import FakeTwilio
from tests.support.proxy import TcpProxy
from tests.support.settings import TEST_AUTH_TOKEN
from tests.support.sms import DEMO_NUMBER


def _reachable() -> str | None:
    """Why the cluster cannot start here, or None when PostgreSQL and Redis both answer."""
    import redis

    admin = make_url(POSTGRES_URL).set(drivername="postgresql", database="postgres")
    try:
        psycopg.connect(admin.render_as_string(hide_password=False), connect_timeout=3).close()
    except psycopg.Error as exc:
        return f"PostgreSQL is not reachable at {POSTGRES_URL}: {type(exc).__name__}"
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
        client.ping()
        client.close()
    except redis.RedisError as exc:
        return f"Redis is not reachable at {REDIS_URL}: {type(exc).__name__}"
    return None


def _flush_redis() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()  # only the suite's own db number, never the whole server
    client.close()


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveCluster]:
    """2 web processes and 2 workers on a new database, sending through a fake Twilio."""
    reason = _reachable()
    if reason:
        pytest.skip(reason)
    folder: Path = tmp_path_factory.mktemp("cluster")
    database = make_url(POSTGRES_URL).set(database=f"frontline_cluster_{secrets.token_hex(4)}")
    database_url = database.render_as_string(hide_password=False)
    database_proxy = TcpProxy(database.host or "127.0.0.1", database.port or 5432)
    redis_parts = urllib.parse.urlsplit(REDIS_URL)
    queue_proxy = TcpProxy(redis_parts.hostname or "127.0.0.1", redis_parts.port or 6379)
    database_proxy.start()
    queue_proxy.start()
    via_proxy = database.set(host="127.0.0.1", port=database_proxy.port)
    queue_via_proxy = redis_parts._replace(netloc=f"127.0.0.1:{queue_proxy.port}").geturl()
    _flush_redis()
    log_path = folder / "cluster.log"
    try:
        with (
            FakeTwilio() as fake,
            log_path.open("w") as log,
            running_cluster(
                {
                    "FRONTLINE_INSTANCE_DIR": str(folder / "instance"),
                    "FRONTLINE_DATABASE_URL": via_proxy.render_as_string(hide_password=False),
                    "FRONTLINE_QUEUE_URL": queue_via_proxy,
                    "FRONTLINE_TWILIO_API_URL": fake.url,
                    "FRONTLINE_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
                    "FRONTLINE_TWILIO_AUTH_TOKEN": TEST_AUTH_TOKEN,
                    "FRONTLINE_TWILIO_FROM_NUMBER": DEMO_NUMBER,
                    # Whatever the hour CI runs at, texts go now rather than in the morning.
                    "FRONTLINE_QUIET_HOURS": "",
                    "FRONTLINE_DEV_TOOLS": "false",
                    "FRONTLINE_LOG_LEVEL": "WARNING",
                    # A killed worker's rows go back to the queue after 30 s, not 2 minutes.
                    "FRONTLINE_OUTBOX_LEASE_SECONDS": "30",
                    # Each worker thread keeps at most 2 texts in flight: a kill sends those again.
                    "FRONTLINE_SEND_WINDOW": str(SEND_WINDOW),
                },
                output=log,
            ) as cluster,
        ):
            dsn = database.set(drivername="postgresql").render_as_string(hide_password=False)
            yield LiveCluster(cluster, fake, dsn, database_proxy, queue_proxy, log_path)
    except RuntimeError:
        # The processes' own words are the quickest way to see why the cluster did not start.
        print(log_path.read_text()[-4000:])
        raise
    finally:
        from bench.cluster import drop_database

        database_proxy.stop()
        queue_proxy.stop()
        drop_database(database_url)
        _flush_redis()
