"""Send tasks for thousands of rows reach the SQLite queue in one transaction, every one intact."""

from __future__ import annotations

import logging
import sqlite3

import pytest
from huey import Huey

from service import extensions, tasks
from service.queue import SqliteQueueStorage, enqueued_together


@pytest.fixture
def queue(tmp_path, monkeypatch) -> Huey:
    """The app's queue on a SQLite file of its own, not run inline."""
    huey = extensions.huey
    monkeypatch.setattr(huey, "storage", SqliteQueueStorage(filename=str(tmp_path / "q.db")))
    monkeypatch.setattr(huey, "immediate", False)
    return huey


def _waiting(queue: Huey) -> list:
    found = []
    while (data := queue.storage.dequeue()) is not None:
        task = queue.deserialize_task(data)
        found.append((task.name, task.args))
    return found


def test_a_broadcasts_batch_is_one_write_and_every_task_arrives_in_order(queue) -> None:
    commits = []
    queue.storage.conn.set_trace_callback(
        lambda sql: commits.append(sql) if sql.strip().upper() == "COMMIT" else None
    )
    size = tasks.SEND_BATCH
    ids = list(range(1, 3 * size + 2))
    tasks.queue_outbox(ids)
    assert len(commits) == 1  # one transaction (and one wait for the disk) for four tasks
    queue.storage.conn.set_trace_callback(None)
    assert _waiting(queue) == [
        ("send_outbound_batch", (ids[0:size],)),
        ("send_outbound_batch", (ids[size : 2 * size],)),
        ("send_outbound_batch", (ids[2 * size : 3 * size],)),
        ("send_outbound", (ids[-1],)),
    ]


def test_a_task_put_alone_still_goes_straight_in(queue) -> None:
    tasks.queue_outbox([7])
    with enqueued_together(queue):
        pass  # nothing gathered: nothing written
    assert _waiting(queue) == [("send_outbound", (7,))]


def test_a_failed_write_of_the_gathered_tasks_leaves_the_rows_for_the_sweeper(
    queue, monkeypatch, caplog
) -> None:
    def locked(*args, **kwargs):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(queue.storage, "db", locked)
    caplog.set_level(logging.WARNING)
    tasks.queue_outbox(list(range(1, 101)))  # the caller (a fan-out's commit) is not interrupted
    assert "queue unreachable (OperationalError): 100 outbox rows left for the sweeper" in (
        caplog.text
    )
