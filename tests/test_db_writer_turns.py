"""SQLite writers take turns on a lock file before SQLite's own write lock (TurnTakingConnection).

A writer waiting for SQLite's lock sleeps in SQLite's busy handler in growing steps and wakes
late; one waiting for its turn looks every half millisecond. The turn is held from BEGIN
IMMEDIATE until the transaction has ended, whichever way it ends, and a turn never given back
is waited for only as long as SQLite's lock would be.
"""

from __future__ import annotations

import gc
import select
import sqlite3
import subprocess
import sys
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from service import db
from service.db import READ_FIRST, TurnTakingConnection, make_engine
from tests.support.turns import turn_held, turn_is_free


@pytest.fixture
def engine(tmp_path, monkeypatch):
    # A writer that cannot have its turn or the lock gives up after this, not after 5 s.
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 300)
    eng = make_engine(f"sqlite:///{tmp_path / 'turns.db'}")
    with eng.begin() as conn:
        conn.execute(text("CREATE TABLE counter (n INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))
    yield eng
    eng.dispose()


def _path(engine) -> str:
    return engine.url.database


def _count(engine) -> int:
    # Read first: a plain transaction here begins with BEGIN IMMEDIATE, a writer's.
    with engine.connect().execution_options(**{READ_FIRST: True}) as conn:
        return conn.scalar(text("SELECT n FROM counter"))


def test_a_writer_holds_its_turn_until_it_commits(engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("UPDATE counter SET n = n + 1"))
        assert not turn_is_free(_path(engine))
        conn.commit()
        assert turn_is_free(_path(engine))
    assert _count(engine) == 1


def test_a_writer_that_rolls_back_gives_its_turn_back(engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("UPDATE counter SET n = n + 1"))
        assert not turn_is_free(_path(engine))
        conn.rollback()
        assert turn_is_free(_path(engine))
    assert _count(engine) == 0


def test_a_read_first_transaction_takes_its_turn_at_its_first_write(engine) -> None:
    with engine.connect().execution_options(**{READ_FIRST: True}) as conn:
        assert conn.scalar(text("SELECT n FROM counter")) == 0
        assert turn_is_free(_path(engine))  # reading takes no turn
        conn.execute(text("UPDATE counter SET n = n + 1"))
        assert not turn_is_free(_path(engine))
        conn.commit()
    assert turn_is_free(_path(engine))


def test_a_writer_waits_for_the_turn_though_sqlites_lock_is_free(engine) -> None:
    # Another process's writer has its turn (and is about to BEGIN): a writer here waits for
    # it, and writes once it is given back.
    done = threading.Event()

    def other_writer() -> None:
        with engine.begin() as conn:
            conn.execute(text("UPDATE counter SET n = n + 10"))
        done.set()

    with turn_held(_path(engine)):
        writer = threading.Thread(target=other_writer)
        writer.start()
        assert not done.wait(0.1)
        assert _count(engine) == 0
    writer.join(10)
    assert done.is_set()
    assert _count(engine) == 10


def test_a_turn_never_given_back_is_waited_for_only_as_long_as_the_lock(engine) -> None:
    # Another process took the turn and hangs: a writer here is told "locked" (a 503 to a
    # webhook) once the busy timeout has passed, as for SQLite's lock, and does not hang.
    outcome: list[BaseException | None] = []

    def writer() -> None:
        try:
            with engine.begin() as conn:
                conn.execute(text("UPDATE counter SET n = n + 1"))
            outcome.append(None)
        except BaseException as error:  # handed to the test's thread
            outcome.append(error)

    with turn_held(_path(engine)):
        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        thread.join(10)
        assert not thread.is_alive(), "the writer still waits for a turn that never comes"
        assert _count(engine) == 0  # a reader needs no turn
    assert isinstance(outcome[0], OperationalError)
    assert "locked" in str(outcome[0])
    assert turn_is_free(_path(engine))
    assert _count(engine) == 0


def test_a_writer_that_cannot_have_sqlites_lock_gives_its_turn_back(engine) -> None:
    # A writer that takes no turn (the sqlite3 shell, say) holds SQLite's lock: the writer here
    # has its turn, waits out the busy timeout for the lock, fails and lets the next writer in
    # at once, not only when its connection goes back to the pool.
    shell = sqlite3.connect(_path(engine), timeout=0, isolation_level=None)
    shell.execute("BEGIN IMMEDIATE")
    try:
        with engine.connect() as conn:
            with pytest.raises(OperationalError, match="locked"):
                conn.begin()
            assert turn_is_free(_path(engine))
    finally:
        shell.rollback()
        shell.close()
    with engine.begin() as conn:
        conn.execute(text("UPDATE counter SET n = n + 1"))
    assert _count(engine) == 1


def test_a_failed_begin_gives_its_turn_back_itself(engine, monkeypatch) -> None:
    # SQLAlchemy rolls back after a failed begin today, which gives the turn back too; the
    # begin's own handling must not depend on that (an error SQLAlchemy does not roll back
    # after would otherwise keep every other writer waiting until the connection's next use).
    with engine.connect() as conn:

        def begin_fails(statement: str, *args, **kwargs):
            raise sqlite3.OperationalError("disk I/O error")

        monkeypatch.setattr(conn, "exec_driver_sql", begin_fails)
        with pytest.raises(sqlite3.OperationalError):
            db._sqlite_begin_immediate(conn)  # the engine's "begin" listener, and nothing after
        assert turn_is_free(_path(engine))
        monkeypatch.undo()


def test_a_read_first_writer_that_cannot_have_sqlites_lock_gives_its_turn_back(engine) -> None:
    shell = sqlite3.connect(_path(engine), timeout=0, isolation_level=None)
    shell.execute("BEGIN IMMEDIATE")
    try:
        with engine.connect().execution_options(**{READ_FIRST: True}) as conn:
            with pytest.raises(OperationalError, match="locked"):
                conn.execute(text("UPDATE counter SET n = n + 1"))
            assert turn_is_free(_path(engine))
    finally:
        shell.rollback()
        shell.close()


def test_a_closed_connection_gives_its_turn_back(engine) -> None:
    conn = engine.connect()
    conn.execute(text("UPDATE counter SET n = n + 1"))
    assert not turn_is_free(_path(engine))
    conn.connection.dbapi_connection.close()  # as a connection discarded mid-transaction is
    assert turn_is_free(_path(engine))
    conn.invalidate()
    conn.close()
    assert _count(engine) == 0


def test_a_connection_collected_unclosed_gives_its_turn_back(engine) -> None:
    driver = sqlite3.connect(_path(engine), factory=TurnTakingConnection, isolation_level=None)
    driver.take_turn(1)
    driver.execute("BEGIN IMMEDIATE")
    assert not turn_is_free(_path(engine))
    del driver
    gc.collect()
    assert turn_is_free(_path(engine))
    with engine.begin() as conn:
        conn.execute(text("UPDATE counter SET n = n + 1"))
    assert _count(engine) == 1


def test_a_file_system_without_flock_still_writes(engine, monkeypatch, caplog) -> None:
    # Some network mounts refuse flock: writers then wait in SQLite's busy handler, as before.
    def no_locks(_fd, _operation) -> None:
        raise OSError(37, "No locks available")

    monkeypatch.setattr(db.fcntl, "flock", no_locks)
    with engine.begin() as conn:
        conn.execute(text("UPDATE counter SET n = n + 1"))
    monkeypatch.undo()
    assert _count(engine) == 1
    assert "without turns" in caplog.text


# A process holding the turn forks a child that lives on, never touching the connection, and
# then dies still holding it. (Its own process: a fork of a test worker, which runs threads,
# could deadlock.)
HOLDER = """
import os, sqlite3, sys
from service.db import TurnTakingConnection

driver = sqlite3.connect(sys.argv[1], factory=TurnTakingConnection, isolation_level=None)
driver.take_turn(1)
if os.fork() == 0:
    print("child ready", flush=True)
    sys.stdin.read()  # until the test closes its end
os._exit(0)
"""


def test_a_turn_held_by_a_process_that_died_is_not_kept_by_its_forked_child(engine) -> None:
    """A child forked while its parent held the turn must not keep it after the parent dies."""
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, _path(engine)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdin is not None and holder.stdout is not None
        try:
            ready, _, _ = select.select([holder.stdout], [], [], 30)
            assert ready and holder.stdout.readline() == "child ready\n"
            assert holder.wait(30) == 0  # the holder is gone; its child lives on
            assert turn_is_free(_path(engine))
        finally:
            holder.stdin.close()  # and with it the child
            holder.kill()
    with engine.begin() as conn:
        conn.execute(text("UPDATE counter SET n = n + 1"))
    assert _count(engine) == 1


# A connection closes its lock file; at once another thread opens a file, which is given the
# same descriptor number, and forks. The child must not close that file for the lock file.
REUSED = """
import os, sqlite3, sys
from service.db import TurnTakingConnection

real_close = os.close


def close_then_reuse_and_fork(fd):
    real_close(fd)
    os.close = real_close
    other = os.open(os.devnull, os.O_RDONLY)
    os.dup2(other, fd)  # the freed number, now another file's
    real_close(other)
    child = os.fork()
    if child == 0:
        try:
            os.fstat(fd)
        except OSError:
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(child, 0)
    print("kept" if status == 0 else "closed", flush=True)


driver = sqlite3.connect(sys.argv[1], factory=TurnTakingConnection, isolation_level=None)
driver.take_turn(1)
driver.end_turn()
os.close = close_then_reuse_and_fork
driver.close()
"""


def test_a_child_forked_as_a_lock_file_closes_leaves_a_reused_descriptor_open(engine) -> None:
    done = subprocess.run(
        [sys.executable, "-c", REUSED, _path(engine)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout == "kept\n"
