"""Kill the real worker process with SIGKILL during a 5,000-person broadcast, ten times."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.support.fake_twilio import process_env

ROOT = Path(__file__).resolve().parents[2]
FRONTLINE = str(Path(sys.executable).parent / "frontline")
RECIPIENTS = 5000
KILLS = 10
LEASE_SECONDS = 2
# Texts the worker keeps in flight at Twilio: a kill sends those again (Twilio may have taken
# them), never more; a worker that wrote its SIDs only after a batch would lose up to a batch.
WINDOW = 4
STARTUP_SECONDS = 30


def _env(instance: Path, fake_url: str) -> dict[str, str]:
    return process_env(
        str(instance),
        fake_url,
        OUTBOX_LEASE_SECONDS=str(LEASE_SECONDS),
        SEND_WINDOW=str(WINDOW),
    )


def _unfinished(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT count(*) FROM outbound_message WHERE status IN ('pending', 'sending')"
        ).fetchone()[0]


def _start_worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [FRONTLINE, "worker", "--workers", "1"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _kill(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@pytest.mark.slow
@pytest.mark.real_clock
def test_sigkill_during_a_broadcast_loses_nothing(tmp_path: Path, fake) -> None:
    env = _env(tmp_path, fake.url)
    subprocess.run([FRONTLINE, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run(
        [sys.executable, "-m", "tests.outbox.crash_setup", str(RECIPIENTS)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    db = tmp_path / "frontline.db"
    assert _unfinished(db) == RECIPIENTS
    chance = random.Random(2026)  # random points, the same ones every run

    for _ in range(KILLS):
        worker = _start_worker(env)
        seen = fake.requests
        deadline = time.monotonic() + 30
        while fake.requests == seen and time.monotonic() < deadline:
            time.sleep(0.02)  # wait until it is really sending
        time.sleep(chance.uniform(0.0, 0.6))
        _kill(worker)

    worker, started = _start_worker(env), time.monotonic()
    try:
        deadline, last, last_change = time.monotonic() + 240, -1, time.monotonic()
        while (left := _unfinished(db)) and time.monotonic() < deadline:
            if left != last:
                last, last_change = left, time.monotonic()
            elif (
                time.monotonic() - last_change > LEASE_SECONDS + 3
                and time.monotonic() - started > STARTUP_SECONDS
            ):
                # Only rows a killed worker held are left: a restart sweeps them at once
                # (the minute's sweep would too). Never before the worker has had time to start:
                # on a loaded machine that takes longer than the lease, and restarting it
                # again and again would leave it no time to send anything.
                _kill(worker)
                worker, started = _start_worker(env), time.monotonic()
                last_change = time.monotonic()
            time.sleep(0.2)
    finally:
        _kill(worker)

    per_number = Counter(m["To"] for m in fake.sent)
    lost = RECIPIENTS - len(per_number)
    duplicates = sum(per_number.values()) - len(per_number)
    print(
        f"\ncrash test: {KILLS} kills, {RECIPIENTS} recipients, {len(fake.sent)} sends, "
        f"{lost} lost, {duplicates} duplicates"
    )
    assert _unfinished(db) == 0
    assert lost == 0
    assert duplicates <= KILLS * WINDOW
