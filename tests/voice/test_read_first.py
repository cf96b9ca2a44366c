"""On SQLite a menu step holds no write lock: another web process writing does not stall it.

The app here runs on its own copy of the demo file with sessions of its own (not the suite's
rolled-back transaction), so each request takes SQLite's locks as under gunicorn. Another
connection holds the write lock throughout: a step that only reads must answer at once, and a
step that writes must wait for the lock (and here, with a short busy timeout, fail to get it).
"""

from __future__ import annotations

import shutil
import sqlite3
from urllib.parse import urlsplit

import pytest

from service import create_app, db
from service.db import get_database
from tests.support.settings import TEST_AUTH_TOKEN, app_config
from tests.support.sms import signed_post
from tests.support.voice import Caller


@pytest.fixture
def own_app(prepared, tmp_path, monkeypatch):
    """The app on a file of its own holding the demo council, its sessions its own."""
    if prepared.demo_file is None:
        pytest.skip("SQLite's write lock: PostgreSQL has none to hold")
    path = tmp_path / "own.db"
    shutil.copyfile(prepared.demo_file, path)
    # A writer that cannot have the lock gives up after this, not SQLite's usual 5 s.
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 300)
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


def _hold_write_lock(path) -> sqlite3.Connection:
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_reading_a_menu_out_needs_no_write_lock(own_app) -> None:
    app, path = own_app
    call = Caller(app.test_client(), "+447400555010")
    call.dial_in()
    call.press("1")  # English: the news is heard (and remembered: a write), then the main menu
    other = _hold_write_lock(path)
    try:
        call.press("1")  # groups: read out while the other process holds the lock
        assert "Minds Matter" in call.spoken()
        call.press("0")  # and back to the main menu
        assert "For groups, press 1" in call.spoken()
    finally:
        other.rollback()
        other.close()


def test_a_step_that_writes_still_takes_the_lock(own_app) -> None:
    app, path = own_app
    call = Caller(app.test_client(), "+447400555011")
    call.dial_in()
    other = _hold_write_lock(path)
    try:
        # English chosen: the news is read and the day's hearing of it written, which needs the
        # lock the other process holds: after the busy timeout, "try again", nothing written.
        with pytest.raises(AssertionError, match="try again in a minute"):
            call.press("1")
    finally:
        other.rollback()
        other.close()
    call.press("1")  # the lock free again: the same key gets the main menu
    assert "For groups, press 1" in call.spoken()


def test_a_menu_step_that_finds_its_connection_broken_is_answered_503(own_app) -> None:
    # A web process keeps one connection for its read-first sessions (db.kept_connection):
    # broken, the step that meets it is a 503 (Twilio asks again), and the next has another.
    app, _path = own_app
    call = Caller(app.test_client(), "+447400555012")
    call.dial_in()
    call.press("1")  # English: the main menu
    kept = get_database(app)._kept
    assert kept is not None
    kept.connection.dbapi_connection.close()
    parts = urlsplit(call.gather().get("action"))
    response = signed_post(call.client, f"{parts.path}?{parts.query}", call._form(Digits="1"))
    assert response.status_code == 503
    call.press("1")  # the same key again: groups
    assert "Minds Matter" in call.spoken()
