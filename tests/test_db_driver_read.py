"""A read on the driver (service.db.DriverRead) that meets a closed connection: a 503, replaced.

A voice menu step reads its facts with DriverRead, outside SQLAlchemy's execution. A connection
the database closed under it must be handled as SQLAlchemy's own execution handles it: the
driver's error raised as SQLAlchemy's DBAPIError (service.outage answers it 503, for Twilio to
try again) and the connection invalidated, so the next request gets a working one.
"""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError

from service import create_app, db
from service.config import Config
from service.db import get_database, get_session, read_first
from service.voice.facts import read_step_facts
from tests.support.settings import TEST_AUTH_TOKEN, app_config
from tests.support.sms import DEMO_NUMBER, signed_post
from tests.support.voice import Caller

# A number nobody owns: the read finds no rows, but it still runs on the connection.
NOBODY = "+441134969999"
CALL_SID = "CA" + "2" * 32


@pytest.fixture
def own_sessions(config: Config):
    """The app on the test database with sessions of its own (not the test's transaction)."""
    application = create_app(config)
    yield application
    get_database(application).dispose()


def test_a_read_on_the_requests_closed_connection_raises_a_disconnect(own_sessions) -> None:
    with own_sessions.app_context():
        session = get_session()
        read_first(session)
        connection = session.connection()
        connection.connection.dbapi_connection.close()  # as if the database had dropped it
        with pytest.raises(DBAPIError) as raised:
            read_step_facts(NOBODY, CALL_SID)
        assert raised.value.connection_invalidated
        assert connection.invalidated


def test_a_read_on_a_closed_pooled_connection_raises_a_disconnect(
    own_sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PostgreSQL: no ping at check-out (it would find the connection closed first), however
    # slowly the test runs.
    monkeypatch.setattr(db, "PG_PING_AFTER_IDLE_SECONDS", 3600.0)
    engine = get_database(own_sessions).engine
    handed: list[object] = []
    invalidated: list[BaseException | None] = []
    event.listen(engine, "checkout", lambda dbapi, record, proxy: handed.append(dbapi))
    event.listen(engine, "invalidate", lambda dbapi, record, error: invalidated.append(error))
    with own_sessions.app_context():
        assert read_step_facts(NOBODY, CALL_SID) is None  # no session: on a pooled connection
    closed = handed[-1]
    closed.close()
    with own_sessions.app_context(), pytest.raises(DBAPIError) as raised:
        read_step_facts(NOBODY, CALL_SID)  # checked out again: the pool holds only it
    assert handed[-1] is closed
    assert raised.value.connection_invalidated
    assert invalidated and invalidated[0] is raised.value.orig
    with own_sessions.app_context():
        assert read_step_facts(NOBODY, CALL_SID) is None
    assert handed[-1] is not closed


@pytest.fixture
def own_demo_app(prepared, tmp_path):
    """The app on a file of its own holding the demo council, its sessions its own."""
    if prepared.demo_file is None:
        pytest.skip("calls write: on PostgreSQL the demo database is shared, committed")
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
    yield application
    get_database(application).dispose()


def test_a_call_that_meets_a_closed_connection_is_answered_503_and_the_next_is_served(
    own_demo_app,
) -> None:
    engine = get_database(own_demo_app).engine
    idle: dict[int, object] = {}  # the pool's connections not checked out, by identity
    invalidated: list[BaseException | None] = []
    event.listen(engine, "checkin", lambda dbapi, record: idle.__setitem__(id(dbapi), dbapi))
    event.listen(engine, "checkout", lambda dbapi, record, proxy: idle.pop(id(dbapi), None))
    event.listen(engine, "invalidate", lambda dbapi, record, error: invalidated.append(error))
    client = own_demo_app.test_client()
    # The first call's connection stays checked out, kept for read-first sessions
    # (Database.kept_connection); the second call's read takes another, and gives it back.
    for number in ("+447400555030", "+447400555031"):
        Caller(client, number).dial_in()
    (closed,) = idle.values()
    closed.close()  # the database went away from under the pool's idle connection
    statuses = []
    for n in range(2):
        form = {"CallSid": f"CA{n:032d}", "From": f"+4474005551{n:02d}", "To": DEMO_NUMBER}
        response = signed_post(client, "/twilio/voice", form)
        statuses.append((response.status_code, response.headers.get("Retry-After")))
    # The call's first step reads on the driver, on it: "try again" (Twilio retries), and the
    # connection is discarded at once, so the next call gets a working one and is answered.
    assert statuses == [(503, "30"), (200, None)]
    assert len(invalidated) == 1
