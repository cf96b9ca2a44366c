"""The benches' own PostgreSQL databases: fresh each run, and never the tests' database."""

from __future__ import annotations

import os

import psycopg
import pytest
from sqlalchemy.engine import make_url

from bench.cluster import drop_database
from bench.common import own_postgres_database


def test_no_server_leaves_the_postgresql_rows_out(monkeypatch, capsys) -> None:
    monkeypatch.setenv("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:1/postgres")

    assert own_postgres_database("frontline_bench_nowhere") is None
    assert "no PostgreSQL rows" in capsys.readouterr().out


@pytest.mark.postgres
def test_a_bench_database_is_its_own_and_starts_empty(monkeypatch) -> None:
    # dispatch.py drops its database's schema: given the tests' URL, it must not be that one.
    tests_url = os.environ["FRONTLINE_TEST_DATABASE_URL"]
    monkeypatch.delenv("BENCH_POSTGRES_URL", raising=False)
    name = f"frontline_bench_own_{os.getpid()}"
    url = own_postgres_database(name)
    try:
        assert url is not None
        assert make_url(url).database == name != make_url(tests_url).database
        libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(libpq, autocommit=True) as conn:
            conn.execute("CREATE TABLE left_by_last_run (id int)")

        assert own_postgres_database(name) == url
        with psycopg.connect(libpq) as conn:
            left = conn.execute("SELECT to_regclass('left_by_last_run')").fetchone()
        assert left == (None,)
    finally:
        if url:
            drop_database(url)
