"""A text whose transaction the database rolled back for another's sake is answered, once."""

from __future__ import annotations

import logging

import psycopg
import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import func, select

from service.contacts.models import Contact
from service.db import get_database
from service.sms import views
from service.sms.models import InboundMessage
from service.speakup.models import SpeakUpCase, SpeakUpThrottle
from tests.support.sms import Handset

NUMBER = "+447700900123"


def _deadlock() -> sa_exc.OperationalError:
    # As SQLAlchemy raises PostgreSQL's deadlock: the driver's error, SQLSTATE 40P01, wrapped.
    return sa_exc.OperationalError("UPDATE contact …", {}, psycopg.errors.DeadlockDetected())


def _counts(app) -> tuple[int, int]:
    with get_database(app).session() as session:
        contacts = session.scalar(select(func.count()).select_from(Contact))
        texts = session.scalar(select(func.count()).select_from(InboundMessage))
    return contacts, texts


def _deadlocking(monkeypatch: pytest.MonkeyPatch, times: int) -> list[int]:
    """The view's handling does all its writes, then the first `times` attempts deadlock."""
    attempts: list[int] = []
    handle = views.handle_inbound

    def handle_then_deadlock(*args, **kwargs):
        outcome = handle(*args, **kwargs)  # every write made, none committed
        attempts.append(1)
        if len(attempts) <= times:
            raise _deadlock()
        return outcome

    monkeypatch.setattr(views, "handle_inbound", handle_then_deadlock)
    return attempts


def test_a_first_text_rolled_back_by_a_deadlock_is_answered_and_written_once(
    committed_app_either, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app = committed_app_either
    before = _counts(app)
    attempts = _deadlocking(monkeypatch, times=1)
    handset = Handset(app.test_client(), NUMBER)
    with caplog.at_level(logging.WARNING):
        reply = handset.send("HELP", sid="SM" + "c" * 32)
    # Twilio would not send it again: without the second attempt the member got no answer.
    assert reply.status == 200 and "Welcome" in reply.text
    assert len(attempts) == 2
    # The first attempt's contact and inbound row were rolled back with it: one of each.
    assert _counts(app) == (before[0] + 1, before[1] + 1)
    assert "rolled back by a conflict (DeadlockDetected), run again" in caplog.text
    assert NUMBER not in caplog.text and "HELP" not in caplog.text
    # And Twilio's own retry of it gets the stored answer and writes nothing more.
    again = handset.send("HELP", sid="SM" + "c" * 32)
    assert again.text == reply.text
    assert _counts(app) == (before[0] + 1, before[1] + 1)


def test_a_second_conflict_is_a_503_that_keeps_nothing(
    committed_app_either, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app = committed_app_either
    before = _counts(app)
    attempts = _deadlocking(monkeypatch, times=2)
    with caplog.at_level(logging.WARNING):
        reply = Handset(app.test_client(), NUMBER).send("HELP", sid="SM" + "d" * 32)
    assert reply.status == 503 and len(attempts) == 2
    assert _counts(app) == before
    assert "database conflict (DeadlockDetected)" in caplog.text


def test_a_concern_rolled_back_by_a_deadlock_is_raised_and_throttled_once(
    committed_app_either, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second attempt is the first that counts: one case, one try against the hour's limit.

    The limit's counter and the receipt of the MessageSid are written in the webhook's own
    transaction, so the rolled-back attempt took none of the worker's three new cases an hour.
    """
    app = committed_app_either
    attempts = _deadlocking(monkeypatch, times=1)
    reply = Handset(app.test_client(), NUMBER).send(
        "SPEAKUP The rota is changed without notice", sid="SM" + "e" * 32
    )
    assert reply.status == 200 and "Your case code is" in reply.text, reply.texts
    assert len(attempts) == 2
    with get_database(app).session() as session:
        cases = session.scalar(select(func.count()).select_from(SpeakUpCase))
        counted = session.scalars(select(SpeakUpThrottle.count)).all()
    assert cases == 1
    assert counted == [1]
