"""PostgreSQL connections are pinged before use once idle a while, not before every request."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from service import db
from service.db import make_engine

pytestmark = pytest.mark.postgres  # the ping is PostgreSQL's (SQLite has no connection to lose)


@pytest.fixture
def engine():
    eng = make_engine(os.environ["FRONTLINE_TEST_DATABASE_URL"], pool_size=1, max_overflow=0)
    yield eng
    eng.dispose()


def _backend(engine) -> int:
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()


def test_a_connection_just_used_is_not_pinged(engine, monkeypatch) -> None:
    pings: list[object] = []
    monkeypatch.setattr(engine.dialect, "do_ping", pings.append)
    for _ in range(3):
        _backend(engine)
    assert pings == []
    monkeypatch.setattr(db, "PG_PING_AFTER_IDLE_SECONDS", 0.0)
    _backend(engine)
    assert len(pings) == 1


def test_a_connection_that_died_while_idle_is_replaced_unseen(engine, monkeypatch) -> None:
    first = _backend(engine)
    other = make_engine(os.environ["FRONTLINE_TEST_DATABASE_URL"])
    with other.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    other.dispose()
    monkeypatch.setattr(db, "PG_PING_AFTER_IDLE_SECONDS", 0.0)
    # The ping finds it dead; the pool connects afresh and the request never sees an error.
    assert _backend(engine) != first
