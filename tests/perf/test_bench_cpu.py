"""The webhook benches' CPU a request, by process group, read from /proc around a run."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest

from bench import cpu

# Spends 0.3 s of CPU (its interpreter's start included) and says so; told to linger, it then
# waits to be killed, so that it is still alive, and counted, at the run's second reading.
BURNER = (
    "import sys, time\n"
    "while time.process_time() < 0.3: pass\n"
    "print('done', flush=True)\n"
    "if sys.argv[1] == 'linger': sys.stdin.read()\n"
)
# 0.3 s over 10 requests, less up to a clock tick lost to the kernel's accounting.
LOW, HIGH = 27, 36


@pytest.fixture
def mark(monkeypatch) -> str:
    # Its own mark, so that a run beside this one (another checkout's tests) is not counted.
    mark = f"bench-cpu-burner-{uuid.uuid4().hex}"
    monkeypatch.setattr(cpu, "COMMAND_LINES", {"burner": mark})
    monkeypatch.setattr(cpu, "NAMES", {})  # nor a PostgreSQL busy beside the test
    return mark


def test_a_groups_cpu_is_shared_among_the_requests_served(mark) -> None:
    burners: list[subprocess.Popen[str]] = []
    try:
        with cpu.cpu_during() as (share, served):
            burners.append(
                subprocess.Popen(
                    [sys.executable, "-c", BURNER, "linger", mark],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )
            assert burners[0].stdout is not None and burners[0].stdout.readline() == "done\n"
            served.append(10)
    finally:
        for burner in burners:
            burner.kill()
            burner.communicate()

    assert LOW <= share.per_request["burner"] <= HIGH
    assert list(share.per_request) == ["burner"]  # this test process is in no group
    assert share.line("EVENTS").startswith("cpu a request, EVENTS: ")


def test_the_load_generator_counts_once_it_has_ended(mark) -> None:
    # wrk runs as the bench's child and has exited by the run's second reading: its CPU is in
    # the bench's children's times, not in /proc.
    with cpu.cpu_during() as (share, served):
        subprocess.run(
            [sys.executable, "-c", BURNER, "exit", mark], check=True, capture_output=True
        )
        served.append(10)

    assert LOW <= share.per_request[cpu.LOAD] <= HIGH
    assert "burner" not in share.per_request
