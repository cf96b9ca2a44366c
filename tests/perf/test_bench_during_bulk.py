"""bench/during_bulk.py: the bulk rows' p99 beside idle rounds, and the work's own seconds."""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from bench import during_bulk

pytestmark = pytest.mark.slow  # rounds of 0.8 s: a few seconds a test

# A stand-in for the fan-out: says it is ready, works 1.2 s of its own running, exits. (In
# steps: one long sleep would end on time however long the process was stopped.)
WORK = [
    sys.executable,
    "-c",
    "import time; print('started', flush=True)\nfor _ in range(120): time.sleep(0.01)",
]


@pytest.fixture
def rounds(monkeypatch):
    """Rounds that take 0.8 s each and read 10 ms idle, 30 ms while the work runs."""
    seen: list[str] = []
    phase = {"now": "idle"}

    def round_p99(port, texts, readers, pace, count=0) -> float:
        seen.append(phase["now"])
        time.sleep(0.8)
        return 30.0 if phase["now"] == "during" else 10.0

    monkeypatch.setattr(during_bulk, "round_p99", round_p99)
    monkeypatch.setattr(during_bulk, "wait_until_still", lambda url, database: None)
    return seen, phase


def _trial(phase, **kwargs) -> during_bulk.Trial:
    return during_bulk.run_trial(
        WORK,
        {},
        port=0,
        texts=None,
        readers=[],
        pace=100.0,
        url="",
        database="",
        ready="started",
        on_phase=lambda name: phase.update(now=name),
        **kwargs,
    )


def test_idle_rounds_come_before_and_after_the_work_and_its_time_ends_when_it_does(rounds):
    seen, phase = rounds
    trial = _trial(phase, window=30)

    assert seen[:3] == ["idle"] * 3 and seen[-3:] == ["idle"] * 3
    assert set(seen[3:-3]) == {"during"} and len(trial.during) == 2
    assert trial.ratio == 3.0 and trial.finished
    # Its 1.2 s, not the last round's end: two rounds of 0.8 s would make it 1.6 s.
    assert 1.15 <= trial.seconds < 1.55


def test_interleaved_idle_rounds_stop_the_work_and_its_pauses_are_not_counted(rounds):
    seen, phase = rounds
    trial = _trial(phase, window=30, interleaved=True)

    assert seen[0] == "during" and seen[1] == "idle"  # no idle rounds before it
    assert trial.during == [30.0, 30.0] and trial.idle == [10.0]
    # Stopped through the idle round between: its 1.2 s ran across 2 s of wall time.
    assert 1.15 <= trial.seconds < 1.55


def test_work_that_outlasts_its_window_is_stopped_and_reported_unfinished(rounds):
    _seen, phase = rounds
    trial = _trial(phase, window=0.5)

    assert not trial.finished
    assert 0.5 <= trial.seconds < 1.1  # stopped as the round under way at 0.5 s ends


def test_the_work_s_own_cpu_time_is_reported_apart_from_its_wall_time(rounds):
    _seen, phase = rounds
    sleeping = _trial(phase, window=30)
    spinning = during_bulk.run_trial(
        [
            sys.executable,
            "-c",
            "import time; print('started', flush=True); end = time.process_time() + 0.6\n"
            "while time.process_time() < end: pass",
        ],
        {},
        port=0,
        texts=None,
        readers=[],
        pace=100.0,
        window=30,
        url="",
        database="",
        ready="started",
        on_phase=lambda name: phase.update(now=name),
    )

    assert sleeping.cpu < 0.4 <= 0.6 <= spinning.cpu < 3
    assert spinning.finished and sleeping.finished


def test_every_signal_reaches_a_process_not_yet_reaped(rounds, monkeypatch):
    """Once reaped, its pid (its process-group id) could pass to a new process."""
    _seen, phase = rounds
    sent: list[tuple[int, str]] = []
    signal_group = during_bulk._signal

    def recording(process, sig) -> None:
        # A zombie still has its /proc entry; a reaped process has none (or a stranger's).
        try:
            with open(f"/proc/{process.pid}/stat") as stat:
                state = stat.read().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            state = "reaped"
        sent.append((sig, state))
        signal_group(process, sig)

    monkeypatch.setattr(during_bulk, "_signal", recording)
    trial = _trial(phase, window=30, interleaved=True)

    assert trial.finished and trial.cpu < 0.4
    assert [sig for sig, _state in sent][-2:] == [signal.SIGKILL, signal.SIGCONT]
    assert "reaped" not in {state for _sig, state in sent}, sent


def test_work_that_fails_is_an_error_not_a_figure(rounds):
    _seen, phase = rounds
    with pytest.raises(RuntimeError, match="boom"):
        during_bulk.run_trial(
            [sys.executable, "-c", "raise SystemExit('boom')"],
            {},
            port=0,
            texts=None,
            readers=[],
            pace=100.0,
            window=30,
            url="",
            database="",
            on_phase=lambda name: phase.update(now=name),
        )


def test_a_round_that_fails_leaves_the_work_neither_running_nor_stopped(rounds, tmp_path):
    _seen, phase = rounds
    pid_file = tmp_path / "pid"
    work = [
        sys.executable,
        "-c",
        f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
        "print('started', flush=True); time.sleep(60)",
    ]
    original = during_bulk.round_p99

    def fails_when_idle(*args, **kwargs) -> float:
        if phase["now"] == "idle":
            raise AssertionError("3 errors")  # as round_p99 does when texts fail
        return original(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(during_bulk, "round_p99", fails_when_idle)
        with pytest.raises(AssertionError, match="3 errors"):
            during_bulk.run_trial(
                work,
                {},
                port=0,
                texts=None,
                readers=[],
                pace=100.0,
                window=30,
                url="",
                database="",
                ready="started",
                on_phase=lambda name: phase.update(now=name),
                interleaved=True,
            )
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):  # killed and reaped, not left stopped
        os.kill(pid, 0)


def test_work_that_ends_without_saying_it_started_is_an_error(rounds):
    _seen, phase = rounds
    with pytest.raises(RuntimeError, match="ended before it said 'started'"):
        during_bulk.run_trial(
            [sys.executable, "-c", "print('no app here')"],
            {},
            port=0,
            texts=None,
            readers=[],
            pace=100.0,
            window=30,
            url="",
            database="",
            ready="started",
            on_phase=lambda name: phase.update(now=name),
        )
