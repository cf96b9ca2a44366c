"""The reliability suite's view of a running cluster: its requests and its answers."""

from __future__ import annotations

import http.client
import json
import os
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import psycopg
from twilio.request_validator import RequestValidator

from bench.cluster import Cluster
from tests.support.fake_twilio import FakeTwilio
from tests.support.proxy import TcpProxy
from tests.support.settings import TEST_AUTH_TOKEN

# Not FRONTLINE_*: the cluster's processes inherit this environment and refuse unknown settings.
POSTGRES_URL = os.environ.get(
    "CLUSTER_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/"
)


REDIS_URL = os.environ.get("CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/7")


DEMO_NUMBER = "+441134960000"


ACCOUNT_SID = "AC" + "0" * 32
# Texts each worker thread of the live cluster keeps in flight at Twilio (a kill resends those).
SEND_WINDOW = 2


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
