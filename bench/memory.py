"""Memory: a web process's RSS over many mixed webhooks, and a worker's over a large broadcast.

The web process is one gunicorn worker serving the demo on SQLite, sent mixed signed texts
(first texts from new numbers, EVENTS, NETWORKS and TALK from returning members, JOIN + YES);
its resident set size is read from /proc after the first tenth of them and after all of them.
The worker is one `frontline worker` process sending a broadcast to the fake Twilio, read the
same way after a tenth of the texts and at the end. The figure is the growth between the two
readings (target under 5%), beside the absolute size (target under 200 MB).

BENCH_MEMORY_WEBHOOKS and BENCH_MEMORY_TEXTS set the sizes (100,000 each, as issue 20 asks).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from http.client import HTTPConnection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROOT, VENV_BIN, Figure, closed_loop, free_port, record
from bench.dispatch import drain, env_for, fan_out
from bench.sms_webhook import Texts, service_env
from tests.support.fake_twilio import FakeTwilio

WEBHOOKS = int(os.environ.get("BENCH_MEMORY_WEBHOOKS", "100000"))
TEXTS = int(os.environ.get("BENCH_MEMORY_TEXTS", "100000"))
MB = 1024 * 1024


def rss(pid: int) -> int:
    """Resident set size of a process, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def children(pid: int) -> list[int]:
    """The direct child processes of pid (from each process's stat: field 4 is its parent)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def mixed_texts(texts: Texts, count: int) -> list[list]:
    """count signed texts as conversations: a new number's first text, reads, JOIN + YES."""
    conversations = []
    members = [f"+4474002{n:05d}" for n in range(500)]
    for n in range(count // 4):
        member = members[n % len(members)]
        conversations.append([texts(f"+4474003{n:05d}", "HELP")])
        conversations.append([texts(member, ("EVENTS", "NETWORKS", "TALK")[n % 3])])
        conversations.append(
            [texts(f"+4474004{n:05d}", "JOIN MINDS"), texts(f"+4474004{n:05d}", "YES")]
        )
    return conversations


def web_growth() -> tuple[int, int]:
    """RSS of one gunicorn worker after a tenth of the webhooks and after all of them."""
    frontline = str(VENV_BIN / "frontline")
    with tempfile.TemporaryDirectory() as instance:
        env = service_env(instance)
        subprocess.run([frontline, "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run([frontline, "demo"], env=env, check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "-w",
                "1",
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "service:create_app()",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        try:
            conversations = mixed_texts(Texts(), WEBHOOKS)
            tenth = len(conversations) // 10
            first = closed_loop_ready(port, conversations[:tenth])
            [worker] = children(server.pid)
            early = rss(worker)
            rest = closed_loop_ready(port, conversations[tenth:])
            assert first + rest == 0, f"{first + rest} webhook errors"
            return early, rss(worker)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)


def closed_loop_ready(port: int, conversations: list) -> int:
    """Send conversations once the server answers; the number of errors."""
    deadline = time.monotonic() + 180
    while True:
        try:
            conn = HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", "/")
            conn.getresponse().read()
            conn.close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    result = closed_loop(port, conversations, 8)
    sent = sum(len(c) for c in conversations)
    return result.errors + sent - result.requests  # a request that raised counts as an error


def worker_growth(fake: FakeTwilio) -> tuple[int, int]:
    """RSS of one worker process after a tenth of a broadcast's texts and after all of them."""
    with tempfile.TemporaryDirectory() as tmp:
        env = env_for(tmp, f"sqlite:///{tmp}/memory.db", fake.url)
        fan_out(env, TEXTS, queue_rows=True)
        readings: list[int] = []

        def watch(processes: list[subprocess.Popen], left: int) -> None:
            # The first reading once a tenth is sent; the last one with nothing left.
            if (not readings and left <= TEXTS * 9 // 10) or left == 0:
                readings.append(rss(processes[0].pid))

        drain(env, workers=1, threads=4, watch=watch)
        return readings[0], readings[-1]


def main() -> None:
    figures = []
    early, late = web_growth()
    figures.append(
        Figure(
            "memory",
            f"web RSS after {WEBHOOKS:,} webhooks",
            late / MB,
            early / MB,
            "MB",
            higher_is_better=False,
            target="< 1.05 (vs the first 10%), < 200 MB",
        )
    )
    with FakeTwilio() as fake:
        early, late = worker_growth(fake)
    figures.append(
        Figure(
            "memory",
            f"worker RSS after {TEXTS:,} texts",
            late / MB,
            early / MB,
            "MB",
            higher_is_better=False,
            target="< 1.05 (vs the first 10%), < 200 MB",
        )
    )
    record(figures)


if __name__ == "__main__":
    main()
