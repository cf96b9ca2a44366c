"""The cluster the reliability suite runs against: `make cluster` on a new database and Redis db."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url
from twilio.request_validator import RequestValidator

from bench.cluster import Cluster, running_cluster
from tests.conftest import TEST_AUTH_TOKEN
from tests.fake_twilio import FakeTwilio
from tests.reliability.proxy import TcpProxy

# Not FRONTLINE_*: the cluster's processes inherit this environment and refuse unknown settings.
POSTGRES_URL = os.environ.get(
    "CLUSTER_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/"
)
REDIS_URL = os.environ.get("CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/7")
DEMO_NUMBER = "+441134960000"
ACCOUNT_SID = "AC" + "0" * 32


@dataclass
class Response:
    """What one HTTP request to the cluster answered."""

    status: int
    headers: http.client.HTTPMessage
    body: str


@dataclass
class LiveCluster:
    """The running cluster, the fake Twilio its workers send through, and its database."""

    cluster: Cluster
    fake: FakeTwilio
    dsn: str
    # The cluster reaches PostgreSQL and Redis only through these, so a test can take either
    # away from it (and only from it) and give it back.
    database: TcpProxy
    queue: TcpProxy
    log: Path  # what the cluster's processes wrote (warnings and up)

    @property
    def url(self) -> str:
        """Where the web processes listen."""
        return self.cluster.url

    def request(
        self, method: str, path: str, *, body: str = "", headers: dict[str, str] | None = None
    ) -> Response:
        """One request on its own connection, as separate clients would send it."""
        parts = urllib.parse.urlsplit(self.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        try:
            conn.request(method, path, body=body.encode(), headers=headers or {})
            answer = conn.getresponse()
            return Response(answer.status, answer.headers, answer.read().decode())
        finally:
            conn.close()

    def signed_post(self, path: str, form: dict[str, str], *, forged: bool = False) -> Response:
        """POST form to path with Twilio's signature (or a wrong one)."""
        signature = RequestValidator(TEST_AUTH_TOKEN).compute_signature(self.url + path, form)
        if forged:
            signature = signature[::-1]
        return self.request(
            "POST",
            path,
            body=urllib.parse.urlencode(form),
            headers={
                "X-Twilio-Signature": signature,
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )

    def post_json(
        self, path: str, payload: dict, headers: dict[str, str] | None = None
    ) -> Response:
        """POST a JSON body, as the kiosk's script does."""
        return self.request(
            "POST",
            path,
            body=json.dumps(payload),
            headers={"Content-Type": "application/json", **(headers or {})},
        )

    def rows(self, query: str, *args: object) -> list[tuple]:
        """Rows of a query on the cluster's database."""
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            return conn.execute(query, args).fetchall()

    def count(self, table: str) -> int:
        """How many rows a table holds."""
        return self.rows(f"SELECT count(*) FROM {table}")[0][0]


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
