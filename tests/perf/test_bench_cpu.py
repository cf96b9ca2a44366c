"""The webhook benches' CPU a request, by process group, read from /proc around a run."""

from __future__ import annotations

import subprocess
import sys

from bench import cpu

# Spends 0.3 s of its own CPU, says so, then waits to be told to exit (so it is still alive,
# and counted, when the run's second reading is taken).
BURNER = (
    "import sys, time\n"
    "while time.process_time() < 0.3: pass\n"
    "print('done', flush=True)\n"
    "sys.stdin.read()\n"
)


def test_a_groups_cpu_is_shared_among_the_requests_served(monkeypatch) -> None:
    monkeypatch.setattr(cpu, "GROUPS", {"burner": "bench-cpu-burner-mark"})
    with cpu.cpu_during() as (share, served):
        burner = subprocess.Popen(
            [sys.executable, "-c", BURNER, "bench-cpu-burner-mark"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert burner.stdout is not None and burner.stdout.readline() == "done\n"
        served.append(10)
    burner.communicate("")

    # 300 ms over 10 requests, give or take the interpreter's start and a clock tick.
    assert 29 <= share.per_request["burner"] <= 45
    assert list(share.per_request) == ["burner"]  # this test process is in no group
    assert share.line("EVENTS").startswith("cpu a request, EVENTS: ")
