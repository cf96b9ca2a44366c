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

import contextlib
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
READY_SECONDS = 180  # for the command to load the app and say it has started


def round_p99(
    port: int, texts: sms_webhook.Texts, readers: list[str], pace: float, count: int = ROUND_TEXTS
) -> float:
    """p99 (ms) of `count` EVENTS texts from returning members, sent on schedule at `pace`/s."""
    paced = sms_webhook.reading(texts, readers, "EVENTS", count)
    result = open_loop(port, paced, pace)
    assert result.errors == 0, f"{result.errors} errors"
    return result.percentile(99)


def wait_until_still(url: str, database: str) -> None:
    """Return once no bulk backend is running a statement (its process stopped or gone), or
    after 4 s with a note."""
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
    print(f"note: a bulk backend of {database} was still running a statement after 4 s")


def _signal(process: subprocess.Popen, sig: signal.Signals) -> None:
    """Signal the command's process group (not yet reaped, so the group is still its own)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


@dataclass
class Trial:
    """One bulk job's run: its time running, and the p99 of each round beside it."""

    seconds: float  # running, the idle rounds' pauses left out
    finished: bool  # exited 0 within its window (else stopped there)
    idle: list[float] = field(default_factory=list)
    during: list[float] = field(default_factory=list)
    output: list[str] = field(default_factory=list)
    cpu: float = float("nan")  # the command's own CPU seconds (user and system), once it ended

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
    trial: Trial | None = None
    try:
        trial = _rounds_beside(
            process,
            command,
            port=port,
            texts=texts,
            readers=readers,
            pace=pace,
            window=window,
            url=url,
            database=database,
            ready=ready,
            on_phase=on_phase,
            interleaved=interleaved,
            idle_rounds=idle_rounds,
            before=before,
        )
        return trial
    finally:
        # On any failure (a round's errors, Ctrl-C) too: not left running, nor stopped. It is
        # reaped only after these signals: until then its process-group id stays its own, and
        # cannot pass to a new process that killpg would then reach.
        _signal(process, signal.SIGKILL)
        _signal(process, signal.SIGCONT)
        # wait4 rather than Popen.wait: it also gives the command's CPU time, which says what
        # a change cost the worker itself, apart from the webhooks' noisy p99.
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if trial is not None:
            trial.cpu = usage.ru_utime + usage.ru_stime
        if process.stdout is not None:
            process.stdout.close()


def _rounds_beside(
    process: subprocess.Popen,
    command: list[str],
    *,
    port: int,
    texts: sms_webhook.Texts,
    readers: list[str],
    pace: float,
    window: float,
    url: str,
    database: str,
    ready: str,
    on_phase,
    interleaved: bool,
    idle_rounds: int,
    before: list[float],
) -> Trial:
    assert process.stdout is not None
    output: list[str] = []
    is_ready = threading.Event()

    def read() -> None:
        # Drained as it runs: a full pipe would stop the command as surely as SIGSTOP.
        for line in process.stdout:
            output.append(line)
            if ready in line:
                is_ready.set()
        is_ready.set()  # ended without saying it: found below

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if ready and not is_ready.wait(READY_SECONDS):
        raise RuntimeError(f"{command} did not say {ready!r} in {READY_SECONDS} s")
    if ready and not any(ready in line for line in output):
        raise RuntimeError(f"{command} ended before it said {ready!r}:\n{''.join(output)[-2000:]}")
    started = time.perf_counter()
    # When it ends, to the moment: the round then under way may go on a second longer.
    ended: list[float] = []
    trial = Trial(seconds=0.0, finished=False, idle=before, output=output)

    def wait() -> None:
        # WNOWAIT: learns that it ended and leaves it unreaped (run_trial reaps it, last).
        try:
            info = os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
        except ChildProcessError:  # reaped by run_trial, after a round failed
            ended.append(time.perf_counter())
            return
        ended.append(time.perf_counter())
        assert info is not None  # None only with WNOHANG
        exited = info.si_code == os.CLD_EXITED
        process.returncode = info.si_status if exited else -info.si_status  # else the signal

    waiter = threading.Thread(target=wait, daemon=True)
    waiter.start()
    paused = 0.0

    def phase(name: str) -> None:
        if on_phase is not None:
            on_phase(name)

    while waiter.is_alive() and time.perf_counter() - started - paused < window:
        phase("during")
        trial.during.append(round_p99(port, texts, readers, pace))
        if not waiter.is_alive() or not interleaved:
            continue
        stopped = time.perf_counter()
        _signal(process, signal.SIGSTOP)
        wait_until_still(url, database)
        phase("idle")
        trial.idle.append(round_p99(port, texts, readers, pace))
        _signal(process, signal.SIGCONT)
        paused += time.perf_counter() - stopped
    waiter.join(max(0.0, window - (time.perf_counter() - started - paused)))
    if waiter.is_alive():
        _signal(process, signal.SIGKILL)
        waiter.join()
        # Its backend may finish the statement in hand first: not during the idle rounds.
        wait_until_still(url, database)
    trial.seconds = ended[0] - started - paused
    reader.join(5)
    if process.returncode not in (0, -signal.SIGKILL):
        raise RuntimeError(f"{command} failed:\n{''.join(output)[-2000:]}")
    # Done, and within its window: a round under way at the window's end may let it run over.
    trial.finished = process.returncode == 0 and trial.seconds <= window
    if not interleaved or not trial.idle:
        # After it (interleaved: done before its first idle round, as at demo size).
        phase("idle")
        count = idle_rounds if not interleaved else 1
        trial.idle += [round_p99(port, texts, readers, pace) for _ in range(count)]
    return trial
