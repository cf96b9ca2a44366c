"""Sending through a database or queue outage: nothing lost, nothing sent twice."""

from __future__ import annotations

import logging
from contextlib import contextmanager

import pytest
import redis
from sqlalchemy.exc import OperationalError

from service import extensions, tasks
from service.db import get_database
from service.outbox import sending
from service.outbox.models import OutboundMessage
from service.outbox.operations import send_to_contact
from tests.support import factories
from tests.support.outbox import MORNING

CALLBACK = "https://frontline.example.org/twilio/sms/status?outbox_id={id}"


def _refused() -> OperationalError:
    return OperationalError("SELECT", {}, Exception("connection refused"))


def _pending(session) -> int:
    org = factories.create_organisation(session)
    contact = factories.create_contact(session, org=org, phone="+447400222333")
    outbox_id = send_to_contact(
        session, contact.id, org.id, "Shift swap agreed", kind="self", dedupe_key="outage"
    )
    session.commit()
    return outbox_id


def _send(app, worker, database_session, sleep) -> float | None:
    return sending.send_one(
        database_session,
        worker.queued.pop(0),
        worker.config,
        worker.transport,
        lambda: MORNING,
        CALLBACK,
        sleep=sleep,
    )


def test_a_short_outage_after_twilio_took_the_text_is_waited_out(
    app, session, fake, worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox_id = _pending(session)
    real_record = sending.record_sent
    failures = iter([_refused(), _refused()])

    def flaky_record(*args, **kwargs) -> None:
        error = next(failures, None)
        if error is not None:
            raise error
        real_record(*args, **kwargs)

    monkeypatch.setattr(sending, "record_sent", flaky_record)
    pauses: list[float] = []
    assert _send(app, worker, get_database(app).session, pauses.append) is None
    session.expire_all()
    row = session.get_one(OutboundMessage, outbox_id)
    assert (row.status, row.twilio_sid) == ("sent", fake.sent[0]["sid"])
    assert len(fake.sent) == 1  # recorded, so the sweeper will never send it again
    assert pauses == [0.5, 1.0]


def test_a_long_outage_leaves_the_row_to_the_lease(
    app, session, fake, worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox_id = _pending(session)

    def down(*args, **kwargs) -> None:
        raise _refused()

    monkeypatch.setattr(sending, "record_sent", down)
    pauses: list[float] = []
    with pytest.raises(OperationalError):
        _send(app, worker, get_database(app).session, pauses.append)
    # Gave up at half the lease (120 s by default), well before the sweeper takes the row back.
    assert sum(pauses[:-1]) < worker.config.OUTBOX_LEASE_SECONDS / 2 <= sum(pauses)
    session.expire_all()
    assert session.get_one(OutboundMessage, outbox_id).status == "sending"
    assert len(fake.sent) == 1


def test_no_text_goes_when_the_claim_cannot_reach_the_database(app, session, fake, worker) -> None:
    outbox_id = _pending(session)

    @contextmanager
    def unreachable():
        raise _refused()
        yield

    with pytest.raises(sending.DatabaseUnreachable):
        _send(app, worker, unreachable, lambda _: None)
    assert fake.sent == []
    session.expire_all()
    assert session.get_one(OutboundMessage, outbox_id).status == "pending"


def test_a_queue_outage_leaves_committed_rows_for_the_sweeper(
    monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    pushed: list[list[int]] = []

    def push(outbox_ids: list[int]) -> None:
        if pushed:
            raise redis.ConnectionError("Error 111 connecting to queue.internal:6379")
        pushed.append(outbox_ids)

    monkeypatch.setattr(tasks, "SEND_BATCH", 2)
    monkeypatch.setattr(tasks, "send_outbound_batch", push)
    monkeypatch.setattr(extensions.huey, "immediate", False)
    caplog.set_level(logging.WARNING)
    tasks.queue_outbox([11, 12, 13, 14])  # the caller (a webhook) is not interrupted
    assert pushed == [[11, 12]]  # a task per batch; the queue went down after the first
    assert "queue unreachable (ConnectionError): 2 outbox rows left for the sweeper" in caplog.text
    assert "queue.internal" not in caplog.text


def test_inline_tasks_still_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(outbox_id: int) -> None:
        raise RuntimeError("a bug in the task")

    monkeypatch.setattr(tasks, "send_outbound", broken)
    monkeypatch.setattr(extensions.huey, "immediate", True)
    with pytest.raises(RuntimeError):
        tasks.queue_outbox([1])
