"""A web process on SQLite leaves WAL checkpoints to a thread, not to its requests' commits."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from service.crypto import Vault
from service.db import Database, SqliteCheckpointer

# SQLite's own checkpoint runs in the commit that takes the WAL past this many pages.
AUTOCHECKPOINT_PAGES = 1000


def _database(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'frontline.db'}", Vault("checkpoint-test-key"))
    with database.engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE note (id INTEGER PRIMARY KEY, body BLOB)")
    return database


def _commit_pages(database: Database, pages: int) -> None:
    """Commit about `pages` pages, a page each: what SQLite's own checkpoint would copy."""
    for _ in range(pages):
        with database.engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO note (body) VALUES (?)", (os.urandom(3000),))


def _wal_pages(tmp_path: Path) -> int:
    return (tmp_path / "frontline.db-wal").stat().st_size // 4096


def test_commits_do_not_checkpoint_and_the_thread_copies_what_they_wrote(tmp_path: Path) -> None:
    database = _database(tmp_path)
    checkpointer = database.checkpoint_in_background()
    assert checkpointer is not None
    checkpointer.stop()  # this test takes the thread's turns itself
    checkpointer.join()
    _commit_pages(database, 2 * AUTOCHECKPOINT_PAGES)
    # SQLite's own checkpoint would have copied and reused the WAL from its start, keeping it
    # near 1,000 pages: the commits did none of that work.
    assert _wal_pages(tmp_path) > 1.5 * AUTOCHECKPOINT_PAGES
    wal_pages, copied = SqliteCheckpointer(str(tmp_path / "frontline.db")).checkpoint()
    assert wal_pages == copied > 1.5 * AUTOCHECKPOINT_PAGES
    # And then the WAL is reused from its start: it grows no further.
    size = _wal_pages(tmp_path)
    _commit_pages(database, 100)
    assert _wal_pages(tmp_path) == size
    with database.engine.connect() as connection:
        count = connection.exec_driver_sql("SELECT count(*) FROM note").scalar()
    assert count == 2 * AUTOCHECKPOINT_PAGES + 100


def test_the_thread_checkpoints_by_itself(tmp_path: Path) -> None:
    database = _database(tmp_path)
    checkpointer = database.checkpoint_in_background()
    assert checkpointer is not None and checkpointer.is_alive()
    try:
        _commit_pages(database, 50)
        # Its turn comes every 0.2 s; on a loaded machine, give it far longer. Once it has
        # copied every page the commits wrote, each turn says so: (n, n) with n > 0.
        deadline = time.monotonic() + 30
        while not (checkpointer.last and checkpointer.last[0] == checkpointer.last[1] > 0):
            assert time.monotonic() < deadline, f"not checkpointed: {checkpointer.last}"
            time.sleep(0.05)
    finally:
        checkpointer.stop()
        checkpointer.join()


def test_a_memory_database_gets_no_thread() -> None:
    memory = Database("sqlite://", Vault("checkpoint-test-key"))
    assert memory.checkpoint_in_background() is None


def test_gunicorn_starts_it_for_the_service_alone(tmp_path: Path) -> None:
    # In a process of its own: post_worker_init also freezes the collector.
    script = f"""
import threading
from types import SimpleNamespace
from flask import Flask
from service import gunicorn_conf
from service.crypto import Vault
from service.db import Database, init_app

def threads():
    return sum(t.name == "sqlite-checkpoint" for t in threading.enumerate())

# The benches serve their baseline apps with the same settings: no database, no thread.
gunicorn_conf.post_worker_init(SimpleNamespace(wsgi=Flask("echo")))
assert threads() == 0
app = Flask("service")
init_app(app, Database("sqlite:///{tmp_path / "frontline.db"}", Vault("checkpoint-test-key")))
gunicorn_conf.post_worker_init(SimpleNamespace(wsgi=app))
assert threads() == 1
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_a_worker_process_checkpoints_in_a_thread_too(tmp_path: Path, monkeypatch) -> None:
    # A task's commit that took the WAL past 1,000 pages copied and synced them in the commit,
    # holding the writers' turn (service.db.TurnTakingConnection) that webhooks wait for.
    import threading

    import huey.consumer

    from service import create_app
    from service.cli import worker
    from service.db import get_database
    from tests.support.settings import app_config

    app = create_app(app_config(tmp_path / "instance", f"sqlite:///{tmp_path / 'frontline.db'}"))
    seen: dict[str, object] = {}

    class Consumer:
        def __init__(self, *_args: object, **_kwargs: object) -> None:
            pass

        def run(self) -> None:
            with get_database(app).engine.connect() as connection:
                seen["pages"] = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
            seen["threads"] = [t for t in threading.enumerate() if t.name == "sqlite-checkpoint"]

    monkeypatch.setattr(huey.consumer, "Consumer", Consumer)
    try:
        result = app.test_cli_runner().invoke(worker, ["--no-periodic"])
        assert result.exit_code == 0, result.output
        assert seen["pages"] == 0
        assert len(seen["threads"]) == 1
        seen["threads"][0].join(5)  # stopped as the worker ends
        assert not seen["threads"][0].is_alive()
    finally:
        get_database(app).dispose()
