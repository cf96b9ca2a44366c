"""An app whose requests commit for real, for the tests of requests racing on PostgreSQL."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import Engine, text

from service import create_app
from service.db import Base, get_database
from service.demo import load_demo


@pytest.fixture
def committed_app(config, engine: Engine):
    """An app whose requests commit for real (not the rolled-back test transaction)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("parallel requests need PostgreSQL (FRONTLINE_TEST_DATABASE_URL)")
    yield from _committed(config, engine)


@pytest.fixture
def committed_app_either(config, engine: Engine):
    """committed_app on SQLite too: for a race one request drives (another session's commit
    made while it waits between two statements), where no two requests run at once."""
    yield from _committed(config, engine)


def _committed(config, engine: Engine):
    application = create_app(config)
    get_database(application).queue = lambda ids: None  # texts are written, never sent
    with application.app_context(), get_database(application).session() as session:
        load_demo(session)
    yield application
    # Every other test rolls back; this one committed, so it leaves the tables as it found them.
    # (It never asks for `demo`, so this is the run's own database, not the shared demo one.)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    get_database(application).dispose()


def wait_for_a_lock_wait(database, what: str = "a request") -> None:
    """Return once a backend of the database waits on a row lock (PostgreSQL only)."""
    deadline = time.monotonic() + 20
    with database.engine.connect() as watcher:
        while time.monotonic() < deadline:
            waiting = watcher.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
            watcher.rollback()
            if waiting:
                return
            time.sleep(0.02)
    raise AssertionError(f"{what} never waited on the other's lock")
