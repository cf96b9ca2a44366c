"""On SQLite a web process keeps one connection for its webhooks: texts in a row behave as before.

The app runs on its own copy of the demo file with sessions of its own (not the suite's
rolled-back transaction), as under gunicorn. Its webhooks' read-first sessions borrow one
connection kept checked out (service.db.Database.kept_connection) instead of the pool's: between
texts it must hold no lock and no transaction, and one that broke must be replaced.
"""

from __future__ import annotations

import shutil
import sqlite3
import threading

import pytest
from sqlalchemy import event

from service import create_app, db
from service.db import get_database
from tests.support.settings import TEST_AUTH_TOKEN, app_config
from tests.support.sms import Handset
from tests.support.turns import turn_held, turn_is_free


@pytest.fixture
def own_app(prepared, tmp_path):
    """The app on a file of its own holding the demo council, its sessions its own."""
    if prepared.demo_file is None:
        pytest.skip("a kept connection is SQLite's: PostgreSQL webhooks use the pool")
    path = tmp_path / "own.db"
    shutil.copyfile(prepared.demo_file, path)
    application = create_app(
        app_config(
            tmp_path / "instance",
            f"sqlite:///{path}",
            TWILIO_ACCOUNT_SID="AC" + "0" * 32,
            TWILIO_AUTH_TOKEN=TEST_AUTH_TOKEN,
            QUEUE_IMMEDIATE=True,
        )
    )
    yield application, path
    get_database(application).dispose()


def _others_can_write(path) -> bool:
    """Whether another process gets SQLite's write lock at once (nothing left holding it)."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
        return False
    finally:
        other.close()


def _inbound_count(path) -> int:
    with sqlite3.connect(path) as reader:
        return reader.execute("SELECT count(*) FROM inbound_message").fetchone()[0]


def test_texts_in_a_row_share_one_connection_and_leave_no_lock(own_app) -> None:
    app, path = own_app
    engine = get_database(app).engine
    checkouts: list[object] = []
    event.listen(engine, "checkout", lambda *args: checkouts.append(args))
    phone = Handset(app.test_client(), "+447400555020")
    assert phone.send("HELP").status == 200
    made = len(checkouts)
    for _ in range(3):
        assert phone.last("EVENTS")
        assert _others_can_write(path)
        assert turn_is_free(path)  # and no writers' turn (service.db.TurnTakingConnection)
    assert len(checkouts) == made  # none from the pool for the texts after the first


def test_a_broken_connection_is_replaced(own_app) -> None:
    app, _path = own_app
    phone = Handset(app.test_client(), "+447400555021")
    assert phone.send("HELP").status == 200
    kept = get_database(app)._kept
    assert kept is not None
    kept.connection.dbapi_connection.close()  # as if the database had gone from under it
    # The text that meets it is answered "try again" (Twilio retries); the next is answered.
    assert phone.send("EVENTS").status == 503
    assert phone.send("EVENTS").status == 200


def test_a_failed_commit_leaves_no_lock_or_transaction_for_the_next_text(
    own_app, monkeypatch
) -> None:
    app, path = own_app
    dialect = get_database(app).engine.dialect
    phone = Handset(app.test_client(), "+447400555022")
    assert phone.send("HELP").status == 200
    before = _inbound_count(path)
    commit = dialect.do_commit

    def fails_once(dbapi_connection) -> None:
        monkeypatch.setattr(dialect, "do_commit", commit)
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(dialect, "do_commit", fails_once)
    assert phone.send("EVENTS").status == 503
    # The driver was still in the failed text's transaction: rolled back as the request ended,
    # so another process may write at once, and the next text does not commit the failed one.
    assert _others_can_write(path)
    assert turn_is_free(path)
    assert phone.send("EVENTS").status == 200
    assert _inbound_count(path) == before + 1


def test_a_text_waits_for_its_turn_to_write(own_app, monkeypatch) -> None:
    # Another web process is writing (it holds the writers' turn): a text's reads go ahead, its
    # writes wait their turn, and past the busy timeout it is "try again", nothing kept.
    app, path = own_app
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 300)
    phone = Handset(app.test_client(), "+447400555024")
    assert phone.send("HELP").status == 200
    before = _inbound_count(path)
    with turn_held(path):
        assert phone.send("EVENTS").status == 503
        assert _inbound_count(path) == before
    assert phone.send("EVENTS").status == 200
    assert _inbound_count(path) == before + 1


def test_a_text_that_fails_after_writing_keeps_nothing(own_app, monkeypatch) -> None:
    from service.sms import views

    app, path = own_app
    phone = Handset(app.test_client(), "+447400555023")
    assert phone.send("HELP").status == 200
    before = _inbound_count(path)
    handle = views.handle_inbound

    def fails_after(*args, **kwargs):
        handle(*args, **kwargs)
        raise RuntimeError("a fault after the text's writes")

    monkeypatch.setattr(views, "handle_inbound", fails_after)
    assert phone.send("EVENTS").status == 500
    monkeypatch.setattr(views, "handle_inbound", handle)
    assert _others_can_write(path)
    assert phone.send("EVENTS").status == 200
    assert _inbound_count(path) == before + 1


def test_disposing_from_another_thread_leaves_a_running_request_its_connection(own_app) -> None:
    # A test server's last request can outlive its test, whose teardown disposes of the
    # database on the main thread: the kept connection was closed under the request, and a
    # statement running on it crashed the process (a segfault in the sqlite3 driver).
    from sqlalchemy import text

    from service.db import get_session

    app, _path = own_app
    database = get_database(app)
    reading, disposed = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def request() -> None:
        with app.test_request_context("/", method="GET"):  # read first: the kept connection
            session = get_session()
            session.execute(text("SELECT 1"))
            seen["kept"] = database._kept
            reading.set()
            disposed.wait(10)
            try:
                seen["count"] = session.execute(text("SELECT count(*) FROM organisation")).scalar()
            except Exception as error:  # handed to the test's thread
                seen["error"] = error

    thread = threading.Thread(target=request)
    thread.start()
    assert reading.wait(10)
    database.dispose()
    disposed.set()
    thread.join(10)
    assert seen["kept"] is not None
    assert "error" not in seen, seen.get("error")
    assert seen["count"] > 0
    assert database._kept is None  # closed by the request's thread as it ended
