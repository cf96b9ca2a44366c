"""Several fake Twilio processes sharing one port, so that Twilio's stand-in is not the limit.

One fake is one Python process: on a shared 2-core machine it gets one thread's share of the
CPU, and at a quarter of a CPU millisecond a text it caps whatever sends to it (measured at
250 msg/s under a load of 25, for one worker process and for four alike). Twilio's API runs
on Twilio's machines; here FAKES processes bind the same port (SO_REUSEPORT) and the kernel
spreads the senders' connections among them. Each keeps what it took and when each request
arrived, and hands both over when told to stop.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter

from bench.common import ROOT, free_port

FAKES = int(os.environ.get("BENCH_FAKE_PROCESSES", "4"))
ONE_FAKE = """
import itertools, json, os, sys, time
from tests.support.fake_twilio import FakeTwilio

fake = FakeTwilio(latency=float(sys.argv[1]), port=int(sys.argv[2]))
fake._sids = itertools.count((0xFA << 120) + (os.getpid() << 64))  # SIDs unique across fakes
arrived = []
fake.rule = lambda form: arrived.append((time.monotonic(), form.get("To", ""))) or None
with fake:
    print("ready", flush=True)
    sys.stdin.read()
json.dump({"sent": [{"To": m["To"], "Body": m["Body"], "sid": m["sid"]} for m in fake.sent],
           "arrived": arrived}, sys.stdout)
"""


class FakeFarm:
    """Start with `with FakeFarm(latency) as farm:`; farm.url for the senders, then stop()."""

    def __init__(self, latency: float, processes: int = FAKES) -> None:
        self.latency, self.count = latency, processes
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.sent: list[dict[str, str]] = []  # every text taken, once stopped
        self.arrived: dict[str, list[float]] = {}  # monotonic arrival times, by number
        self._processes: list[subprocess.Popen] = []

    def __enter__(self) -> FakeFarm:
        for _ in range(self.count):
            process = subprocess.Popen(
                [sys.executable, "-c", ONE_FAKE, str(self.latency), str(self.port)],
                cwd=ROOT,
                text=True,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            self._processes.append(process)
            assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        return self

    def pids(self) -> list[int]:
        """The fakes' process ids (to count their CPU)."""
        return [process.pid for process in self._processes]

    def stop(self) -> None:
        """Stop every fake and gather what they took."""
        for process in self._processes:
            out, _ = process.communicate(timeout=60)
            taken = json.loads(out)
            self.sent.extend(taken["sent"])
            for at, number in taken["arrived"]:
                self.arrived.setdefault(number, []).append(at)
        self._processes = []

    def __exit__(self, *exc: object) -> None:
        if self._processes:
            self.stop()

    def duplicates(self) -> int:
        """Texts taken more than once for the same number (the bare client's aside)."""
        per_number = Counter(m["To"] for m in self.sent if m["Body"] != "bare")
        return sum(per_number.values()) - len(per_number)

    def taken_after(self, sids: set[str], moment: float) -> int:
        """Of the texts with these SIDs, those whose request reached a fake after moment."""
        numbers = [m["To"] for m in self.sent if m["sid"] in sids]
        return sum(1 for n in numbers if any(at > moment for at in self.arrived.get(n, [])))


def now() -> float:
    """The clock the fakes note arrivals on (monotonic, the same in every process)."""
    return time.monotonic()
