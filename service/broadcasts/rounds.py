"""A broadcast's fan-out on PostgreSQL: rounds of batches written side by side by threads.

One batch is a single INSERT ... SELECT run by one backend. A round plans the next
FAN_OUT_THREADS batches (one by default: on two cores a second backend adds a fifth to the rate
and takes the webhooks' core) under the broadcast's row lock, writes each in a transaction and
connection of its own at the same time, then moves the cursor past the ones that committed.
Each batch adds its rows to the broadcast's count in its own transaction, so a worker killed
mid-round loses no count; the next run writes the batches after the cursor again and the
outbox's dedupe key makes those already there add nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from service.broadcasts import fan_out
from service.broadcasts.models import Broadcast
from service.broadcasts.operations import (
    FAN_OUT_BATCH,
    Plans,
    _audience,
    audience_size,
    write_range,
)
from service.config import Config
from service.db import Database, utcnow
from service.outbox.operations import queue_written
from service.pacing import Pacer

Report = Callable[[int, int], None]


def side_by_side(database: Database) -> bool:
    """Whether batches can be written at once: PostgreSQL, each session its own connection."""
    bind = database.sessionmaker.kw.get("bind")
    return database.engine.dialect.name == "postgresql" and isinstance(bind, Engine)


def next_round(
    session: Session, broadcast: Broadcast, now: dt.datetime, *, size: int, batches: int
) -> list[tuple[int, int]]:
    """The contact id ranges (after, last] of the next batches; none once all are written.

    The caller holds the broadcast's row lock. The audience is counted as the first round
    starts, by the worker, so that Send answers at once whatever the audience.
    """
    if broadcast.status != "sending" or broadcast.fanned_out_at is not None:
        return []
    after = broadcast.fan_out_after or 0
    if after == 0:
        broadcast.recipients = audience_size(session, broadcast)
    audience, ranges = _audience(broadcast), []
    for _ in range(batches):
        last, people = fan_out.batch_end(session, audience, after, size)
        if not people:
            break
        ranges.append((after, last))
        after = last
    if not ranges:
        broadcast.fanned_out_at = now
    return ranges


def write_one(
    session: Session,
    broadcast_id: int,
    config: Config,
    now: dt.datetime,
    span: tuple[int, int],
    plans: Plans | None = None,
) -> int:
    """Write one batch in the session's transaction; the rows it added (0: no longer sending).

    The count moves by an UPDATE, which waits for a cancel being committed and then reads it:
    a batch never commits pending rows after its broadcast's cancel has cancelled the rest.
    """
    broadcast = session.get(Broadcast, broadcast_id)
    if broadcast is None or broadcast.status != "sending":
        return 0
    after, last = span
    ids = write_range(session, broadcast, config, now, after=after, last=last, plans=plans)
    status = session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id)
        .values(fanned_out=Broadcast.fanned_out + len(ids))
        .returning(Broadcast.status)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    if status != "sending":
        session.rollback()
        return 0
    queue_written(session, ids)
    return len(ids)


def _write_in_own_session(
    database: Database,
    broadcast_id: int,
    config: Config,
    now: dt.datetime,
    span: tuple[int, int],
    plans: Plans,
) -> int:
    with database.session() as session:
        return write_one(session, broadcast_id, config, now, span, plans)


def run_rounds(
    database: Database,
    broadcast_id: int,
    config: Config,
    report: Report,
    *,
    size: int = FAN_OUT_BATCH,
    threads: int | None = None,
) -> int:
    """Fan the broadcast out, round by round, until every row is written; rows written."""
    threads = threads or config.FAN_OUT_THREADS
    pacer = Pacer(config.FAN_OUT_SHARE, config.FAN_OUT_FLOOR_ROWS)
    plans: Plans = {}  # the run's statement, made again only when what it holds changes
    with ThreadPoolExecutor(threads, thread_name_prefix="fan-out") as pool:
        while True:
            pacer.start()
            now = utcnow()
            with database.session() as session:
                broadcast = session.get(Broadcast, broadcast_id, with_for_update=True)
                if broadcast is None:
                    return 0
                ranges = next_round(session, broadcast, now, size=size, batches=threads)
                start, written, total = (
                    broadcast.fan_out_after,
                    broadcast.fanned_out,
                    broadcast.recipients,
                )
                held = broadcast.held_languages
            if not ranges:
                return written

            futures = [
                pool.submit(_write_in_own_session, database, broadcast_id, config, now, span, plans)
                for span in ranges
            ]
            done, failure, before = start, None, written
            for (_after, last), future in zip(ranges, futures, strict=True):
                try:
                    written += future.result()
                except Exception as error:  # the batches before it stand; it is written again
                    failure = failure or error
                if failure is None:
                    done = last
                    report(written, total)
            with database.session() as session:
                broadcast = session.get(Broadcast, broadcast_id, with_for_update=True)
                # Moved by someone else meanwhile (a restart from the start): theirs stands. A
                # restart during the first round leaves the cursor at 0 as it was, but it comes
                # with a held language released (held.release_held), which the batches skipped.
                if (
                    broadcast is not None
                    and broadcast.fan_out_after == start
                    and (broadcast.held_languages or []) == (held or [])
                ):
                    broadcast.fan_out_after = done
            if failure is not None:
                raise failure
            pacer.rest(written - before)
