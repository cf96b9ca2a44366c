"""service/pacing.py: bulk work rests in proportion to its batches, with a clock the test moves."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from types import SimpleNamespace

import pytest

from service import pacing
from service.pacing import Pacer
from service.privacy import retention

NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def rests(monkeypatch) -> tuple[list[float], list[float]]:
    """(the clock, the rests taken): the clock moves only when a test says so."""
    now, taken = [0.0], []
    monkeypatch.setattr(pacing, "clock", lambda: now[0])
    monkeypatch.setattr(pacing, "sleep", taken.append)
    return now, taken


def _batch(pacer: Pacer, now: list[float], seconds: float, rows: int = 500) -> float:
    pacer.start()
    now[0] += seconds
    rested = pacer.rest(rows)
    now[0] += rested
    return rested


def test_each_batch_is_followed_by_a_rest_that_keeps_the_work_to_its_share(rests) -> None:
    now, taken = rests
    pacer = Pacer(10)
    for seconds in (0.02, 0.04, 0.03):
        _batch(pacer, now, seconds)
    assert taken == pytest.approx([0.18, 0.36, 0.27])


def test_a_batch_that_mostly_waited_does_not_stall_the_work(rests) -> None:
    # A batch stopped for 3 s (a bench's SIGSTOP, a lock wait, a paused machine) used to rest
    # nine times that: 27 s in which a purge deleted nothing.
    now, taken = rests
    pacer = Pacer(10)
    for _ in range(5):
        _batch(pacer, now, 0.02)
    assert _batch(pacer, now, 3.0) == pytest.approx(0.54)  # 3 times the typical 20 ms
    assert _batch(pacer, now, 0.02) == pytest.approx(0.18)
    assert sum(taken) < 2


def test_a_lasting_slowdown_is_rested_for_in_full_within_a_few_batches(rests) -> None:
    # A loaded machine is when the webhooks most need the core back.
    now, _taken = rests
    pacer = Pacer(10)
    for _ in range(5):
        _batch(pacer, now, 0.02)
    slowed = [_batch(pacer, now, 0.2) for _ in range(8)]
    assert slowed[0] == pytest.approx(0.54)
    assert slowed[-1] == pytest.approx(1.8)


def test_the_floor_keeps_the_rate_whatever_the_share(rests) -> None:
    now, taken = rests
    pacer = Pacer(50, floor=25_000)
    _batch(pacer, now, 0.02, rows=2_500)  # as long again: 40 ms, within the floor's 100 ms
    _batch(pacer, now, 0.2, rows=2_500)  # slower than the floor already: no rest
    assert taken == pytest.approx([0.02])


def test_the_purge_rests_for_each_table_by_that_tables_own_batches(rests, monkeypatch) -> None:
    # One pacer for the whole purge judged the first slow table's batches against the fast
    # table before it, counted them as waits, and rested them a seventeenth of their due.
    now, taken = rests
    first, second = retention.rules()[:2]
    batch = 1_000
    plan = {first.name: [0.01] * 4, second.name: [0.5] * 2}

    def step(session, rule, config, when, limit, *, start=None):
        left = plan.get(rule.name, [])
        if not left:
            return 0, start
        now[0] += left.pop(0)
        return limit, start

    monkeypatch.setattr(retention, "purge_step", step)
    database = SimpleNamespace(session=nullcontext)
    counts = retention.purge(database, SimpleNamespace(PURGE_SHARE=10), NOW, batch=batch)

    assert counts[first.name] == 4 * batch and counts[second.name] == 2 * batch
    assert taken == pytest.approx([0.09] * 4 + [4.5] * 2)
