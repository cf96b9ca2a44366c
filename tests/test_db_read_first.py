"""SQLite read-first sessions: reads hold no lock, the first write takes it for the rest."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from service import create_app
from service.db import begin_writes, get_database, get_session, make_engine, read_first
from tests.support.settings import app_config
from tests.support.turns import turn_is_free


@pytest.fixture
def engine(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'locks.db'}")
    with eng.begin() as conn:
        conn.execute(text("CREATE TABLE counter (n INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))
    yield eng
    eng.dispose()


def _other_writer_can_commit(engine) -> bool:
    """Whether another process's writer gets the lock at once (no waiting)."""
    other = sqlite3.connect(engine.url.database, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE counter SET n = n + 1")
        other.execute("COMMIT")
        return True
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
        return False
    finally:
        other.close()


def test_a_read_first_session_lets_others_write_until_it_writes(engine) -> None:
    with Session(engine) as session:
        read_first(session)
        assert session.scalar(text("SELECT n FROM counter")) == 0
        assert _other_writer_can_commit(engine)
        # Reads are not one snapshot: the next one sees the other writer's commit.
        assert session.scalar(text("SELECT n FROM counter")) == 1
        session.execute(text("UPDATE counter SET n = n + 10"))
        assert not _other_writer_can_commit(engine)
        session.commit()
    assert _other_writer_can_commit(engine)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT n FROM counter")) == 12


def test_begin_writes_takes_the_lock_before_any_write(engine) -> None:
    with Session(engine) as session:
        read_first(session)
        session.scalar(text("SELECT n FROM counter"))
        begin_writes(session)
        assert not _other_writer_can_commit(engine)
        session.rollback()
    assert _other_writer_can_commit(engine)


def test_an_ordinary_session_takes_the_lock_at_its_first_statement(engine) -> None:
    with Session(engine) as session:
        session.scalar(text("SELECT n FROM counter"))
        assert not _other_writer_can_commit(engine)


def test_a_lock_not_had_in_time_is_an_sqlalchemy_error(engine) -> None:
    # As at a transaction's start: the outage handler answers such an error "try again" (503).
    other = sqlite3.connect(engine.url.database, timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with Session(engine) as session:
            read_first(session)
            session.connection().connection.dbapi_connection.execute("PRAGMA busy_timeout=50")
            session.scalar(text("SELECT n FROM counter"))
            with pytest.raises(OperationalError, match="locked"):
                begin_writes(session)
    finally:
        other.rollback()
        other.close()


@pytest.fixture
def app_on_a_file(tmp_path):
    """The app on a SQLite file of its own (not the suite's rolled-back transaction)."""
    application = create_app(app_config(tmp_path, f"sqlite:///{tmp_path / 'app.db'}"))
    with get_database(application).engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (n INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))
    yield application
    get_database(application).dispose()


@pytest.mark.parametrize(
    ("method", "others_may_write"), [("GET", True), ("HEAD", True), ("POST", False)]
)
def test_a_page_being_shown_holds_no_write_lock(app_on_a_file, method, others_may_write) -> None:
    # A kiosk's service worker fetches some hundred pages at once: had each held the lock while
    # it rendered, a survey answer queued behind them past the busy timeout (a 503).
    engine = get_database(app_on_a_file).engine
    with app_on_a_file.test_request_context("/kiosk/eastfield-depot/", method=method):
        assert get_session().scalar(text("SELECT n FROM counter")) == 0
        assert _other_writer_can_commit(engine) is others_may_write


def test_a_get_that_writes_takes_the_lock_at_its_write_and_keeps_it(app_on_a_file) -> None:
    engine = get_database(app_on_a_file).engine
    with app_on_a_file.test_request_context("/console/audit", method="GET"):
        session = get_session()
        session.scalar(text("SELECT n FROM counter"))
        session.execute(text("UPDATE counter SET n = n + 10"))
        assert not _other_writer_can_commit(engine)
        session.commit()
    assert _other_writer_can_commit(engine)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT n FROM counter")) == 11


def test_a_failed_commit_leaves_no_lock_behind(engine, monkeypatch) -> None:
    # Disk full or an I/O error at COMMIT: the pool's connection must not keep SQLite's lock
    # (every other process's writes would wait, then fail), nor its next user commit the writes.
    commit = engine.dialect.do_commit

    def fails(_dbapi_connection) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(engine.dialect, "do_commit", fails)
    with Session(engine) as session:
        session.execute(text("UPDATE counter SET n = n + 10"))
        with pytest.raises(OperationalError, match="disk I/O error"):
            session.commit()
    monkeypatch.setattr(engine.dialect, "do_commit", commit)
    assert _other_writer_can_commit(engine)
    assert turn_is_free(engine.url.database)  # the writers' turn, given back at the rollback
    with engine.begin() as conn:
        conn.execute(text("UPDATE counter SET n = n + 100"))
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT n FROM counter")) == 101


def _post(app, work) -> None:
    """Run work(session) in a POST request of its own, read-first as a webhook's session is."""
    with app.test_request_context("/twilio/sms", method="POST"):
        session = get_session()
        read_first(session)
        work(session)


def test_webhooks_in_a_row_keep_one_connection_and_lock_only_to_write(app_on_a_file) -> None:
    engine = get_database(app_on_a_file).engine
    drivers = []

    def reads_then_writes(session: Session) -> None:
        drivers.append(session.connection().connection.dbapi_connection)
        session.scalar(text("SELECT n FROM counter"))
        assert _other_writer_can_commit(engine)
        session.execute(text("UPDATE counter SET n = n + 10"))
        assert not _other_writer_can_commit(engine)
        session.commit()

    for _ in range(3):
        _post(app_on_a_file, reads_then_writes)
        assert _other_writer_can_commit(engine)
    assert drivers[0] is drivers[1] is drivers[2]
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT n FROM counter")) == 36


def test_a_second_read_first_session_gets_its_own_transaction(app_on_a_file) -> None:
    # The kept connection is lent to one session at a time: a second one open at once, had it
    # joined the first's transaction, would commit nothing of its own.
    database = get_database(app_on_a_file)

    def two_sessions(first: Session) -> None:
        first.scalar(text("SELECT n FROM counter"))  # on the kept connection, holding no lock
        with database.session() as second:
            read_first(second)
            second.execute(text("UPDATE counter SET n = n + 1"))
        first.rollback()

    _post(app_on_a_file, lambda session: None)  # the kept connection made
    _post(app_on_a_file, two_sessions)
    with database.engine.connect() as conn:
        assert conn.scalar(text("SELECT n FROM counter")) == 1


def test_another_thread_does_not_borrow_the_kept_connection(app_on_a_file) -> None:
    # A threaded server's requests run at once: only the thread that kept it may use it.
    database = get_database(app_on_a_file)
    drivers = []

    def note(session: Session) -> None:
        drivers.append(session.connection().connection.dbapi_connection)
        session.scalar(text("SELECT n FROM counter"))

    _post(app_on_a_file, note)
    other = threading.Thread(target=_post, args=(app_on_a_file, note))
    other.start()
    other.join()
    _post(app_on_a_file, note)
    assert drivers[0] is drivers[2] is not drivers[1]
    assert database.engine.pool.checkedout() == 1  # the kept one; the thread's went back
