"""Parallel guesses at one code on PostgreSQL: the five tries are five, however many arrive at once.

Runs only when FRONTLINE_TEST_DATABASE_URL names a PostgreSQL server: it needs real
concurrent transactions, which SQLite serialises. The app here has its own database (made and
dropped by the test) and its own connection pool, so the requests race as a web server's would.
"""

from __future__ import annotations

import os
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from alembic import command as alembic_command
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from service import create_app
from service.content.models import Network
from service.crypto import Vault
from service.db import get_database, make_engine
from service.demo import load_demo
from service.migrations import alembic_config
from service.organisations.operations import organisation_for_number
from service.verification import operations as ops
from service.verification.models import PendingAction
from tests.support.settings import app_config
from tests.support.texts import code_in, texts_to

URL = os.environ.get("FRONTLINE_TEST_DATABASE_URL", "")
pytestmark = pytest.mark.postgres
GUESSES = 12


@pytest.fixture
def race_url(tmp_path):
    """A database of its own, migrated, dropped afterwards."""
    base = make_url(URL)
    name = f"{base.database}_race_{secrets.token_hex(4)}"
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = base.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    with engine.begin() as conn:
        alembic_command.upgrade(alembic_config(url, conn), "head")
    engine.dispose()
    yield url
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_twelve_parallel_guesses_get_at_most_five_checks(race_url, tmp_path, monkeypatch):
    app = create_app(app_config(tmp_path / "instance", race_url, QUEUE_IMMEDIATE=True))
    database = get_database(app)
    # Nothing is sent: the code is read back from the outbox.
    database.queue = lambda ids: None
    database.sessionmaker = sessionmaker(
        database.engine, expire_on_commit=False, info=database.session_info()
    )
    with app.app_context(), database.session() as session:
        load_demo(session)
        org = organisation_for_number(session, "+441134960000")
        careers = session.scalar(select(Network.id).where(Network.slug == "careers"))
        started = ops.start_action(
            session,
            org,
            "07400 123456",
            ops.Target("join", careers),
            asker=ops.Asker("kiosk", "10.0.0.7"),
            language="en",
        )
        session.commit()
        code = int(code_in(texts_to(session, database.vault, "+447400123456")[-1]))

    # Count the comparisons actually made, and make each one slow, as a loaded server's are:
    # the window between reading the tries and counting one is what parallel guesses exploit.
    checks, lock = [], threading.Lock()
    real = Vault.blind_indexes
    barrier = threading.Barrier(GUESSES)

    def slow_compare(self, plaintext: str):
        if plaintext.startswith(f"code {started.token} "):
            with lock:
                checks.append(plaintext)
            threading.Event().wait(0.2)
        return real(self, plaintext)

    monkeypatch.setattr(Vault, "blind_indexes", slow_compare)

    def guess(n: int):
        client = app.test_client()
        barrier.wait()
        return client.post(
            "/kiosk/eastfield-depot/api/check",
            json={"token": started.token, "code": f"{(code + 1 + n) % 1_000_000:06d}"},
        ).get_json()

    with ThreadPoolExecutor(GUESSES) as pool:
        answers = list(pool.map(guess, range(GUESSES)))

    statuses = sorted(a["status"] for a in answers)
    # Before: every guess read "0 tries so far", all 12 were compared, and the lost updates
    # left the count at 1, so guessing could go on.
    assert len(checks) == ops.MAX_TRIES, statuses
    assert statuses.count("wrong") == ops.MAX_TRIES - 1
    assert statuses.count("locked") == GUESSES - (ops.MAX_TRIES - 1)
    with database.session() as session:
        action = session.scalar(select(PendingAction).where(PendingAction.token == started.token))
        assert action.attempts == ops.MAX_TRIES and action.completed_at is None
    database.dispose()
