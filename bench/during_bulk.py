"""EVENTS p99 while bulk work runs, beside idle rounds taken in turn with it.

One method for `make bench-scale` (bench/scale.py) and bench/bulk_p99.py alike. The bulk work
(a broadcast's fan-out, the retention purge) runs in a process of its own, as the worker or the
command runs it. Rounds of EVENTS texts at one pace alternate: a round while it runs, then a
round with it stopped (SIGSTOP, once its backend has finished the statement in hand), then it
goes on. The figure is the median of the during rounds' p99s over the median of the idle
rounds': idle and during are never more than a round apart, so neither a quiet nor a busy
minute of the shared machine lands on one side only. (Measured instead as one p99 during the
work against an idle figure taken minutes before, on 6 December the same fan-out read 34 times
idle in one tool and 2 times in the other.)
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field

import psycopg

from bench import sms_webhook
from bench.common import ROOT, open_loop

BULK_APP = "frontline-bulk"  # application_name of the bulk work's backends (PGAPPNAME)
ROUND_TEXTS = int(os.environ.get("BENCH_ROUND_TEXTS", "600"))
IDLE_ROUNDS = 3  # before the work, and as many after it


def round_p99(
    port: int, texts: sms_webhook.Texts, readers: list[str], pace: float, count: int = ROUND_TEXTS
) -> float:
    """p99 (ms) of `count` EVENTS texts from returning members, sent on schedule at `pace`/s."""
    paced = sms_webhook.reading(texts, readers, "EVENTS", count)
    result = open_loop(port, paced, pace)
    assert result.errors == 0, f"{result.errors} errors"
    return result.percentile(99)


def wait_until_still(url: str, database: str) -> None:
    """Return once no bulk backend is running a statement (its process has been stopped)."""
    with psycopg.connect(url, autocommit=True) as conn:
        for _ in range(200):
            active = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
                " AND application_name = %s AND state = 'active'",
                (database, BULK_APP),
            ).fetchone()[0]
            if not active:
                return
            time.sleep(0.02)


@dataclass
class Trial:
    """One bulk job's run: its time running, and the p99 of each round beside it."""

    seconds: float  # running, the idle rounds' pauses left out
    finished: bool  # exited 0 within its window (else stopped there)
    idle: list[float] = field(default_factory=list)
    during: list[float] = field(default_factory=list)
    output: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        """The during rounds' median p99 over the idle rounds' (NaN: done before any round)."""
        if not self.during:
            return float("nan")
        return statistics.median(self.during) / statistics.median(self.idle)


def run_trial(
    command: list[str],
    env: dict[str, str],
    *,
    port: int,
    texts: sms_webhook.Texts,
    readers: list[str],
    pace: float,
    window: float,
    url: str,
    database: str,
    ready: str = "",
    on_phase=None,
    interleaved: bool = False,
    idle_rounds: int = IDLE_ROUNDS,
) -> Trial:
    """Run `command` (its backends named BULK_APP) for at most `window` seconds of its own
    running, EVENTS rounds at `pace` during it, and idle rounds beside them.

    Idle rounds: `idle_rounds` before the command starts and as many after it ends; or, with
    `interleaved`, one after each during round with the command stopped (SIGSTOP). Stopped,
    its own clock runs on: a pacer's rest passes while it is stopped, or a batch seems long
    and rests less, so its rate reads high. Hence not the default: the rows a second it
    reports are a target of their own.

    `ready`: the clock starts once the command prints a line holding it (after loading the
    app). `on_phase("during" | "idle")` is told as each round starts (bulk_p99's sampler).
    """
    before: list[float] = []
    if not interleaved:
        if on_phase is not None:
            on_phase("idle")
        before = [round_p99(port, texts, readers, pace) for _ in range(idle_rounds)]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**env, "PGAPPNAME": BULK_APP},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    output: list[str] = []
    if ready:
        while (line := process.stdout.readline()) and ready not in line:
            output.append(line)
    # Drained as it runs: a full pipe would stop the command as surely as SIGSTOP.
    reader = threading.Thread(target=lambda: output.extend(process.stdout), daemon=True)
    reader.start()
    started = time.perf_counter()
    # When it ends, to the moment: the round then under way may go on a second longer.
    ended: list[float] = []
    waiter = threading.Thread(
        target=lambda: (process.wait(), ended.append(time.perf_counter())), daemon=True
    )
    waiter.start()
    paused = 0.0
    trial = Trial(seconds=0.0, finished=False, idle=before, output=output)

    def phase(name: str) -> None:
        if on_phase is not None:
            on_phase(name)

    while waiter.is_alive() and time.perf_counter() - started - paused < window:
        phase("during")
        trial.during.append(round_p99(port, texts, readers, pace))
        if not waiter.is_alive() or not interleaved:
            continue
        stopped = time.perf_counter()
        os.killpg(process.pid, signal.SIGSTOP)
        wait_until_still(url, database)
        phase("idle")
        trial.idle.append(round_p99(port, texts, readers, pace))
        os.killpg(process.pid, signal.SIGCONT)
        paused += time.perf_counter() - stopped
    waiter.join(max(0.0, window - (time.perf_counter() - started - paused)))
    if waiter.is_alive():
        os.killpg(process.pid, signal.SIGKILL)
        waiter.join()
    trial.seconds = ended[0] - started - paused
    reader.join(5)
    process.stdout.close()
    if process.returncode not in (0, -signal.SIGKILL):
        raise RuntimeError(f"{command} failed:\n{''.join(output)[-2000:]}")
    trial.finished = process.returncode == 0
    if not interleaved or not trial.idle:
        # After it (interleaved: done before its first idle round, as at demo size).
        phase("idle")
        count = idle_rounds if not interleaved else 1
        trial.idle += [round_p99(port, texts, readers, pace) for _ in range(count)]
    return trial
