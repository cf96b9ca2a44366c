"""Shared benchmark plumbing: start servers, drive load, print one table, write results.json."""

from __future__ import annotations

import gc
import json
import os
import selectors
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results.json"


@dataclass
class Figure:
    """One benchmark figure with the baseline measured beside it in the same run."""

    bench: str
    name: str
    value: float
    baseline: float
    unit: str
    higher_is_better: bool = True
    target: str = ""
    # When the baseline was measured just before and just after this figure (its mean is
    # `baseline`), both, so a reader sees how far the machine's load moved around it.
    baseline_before: float | None = None
    baseline_after: float | None = None

    @property
    def ratio(self) -> float:
        """value / baseline (so 0.5 means half the baseline's figure)."""
        return self.value / self.baseline if self.baseline else float("nan")


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Web processes for the service and its baseline alike. Production's unit runs 4
# (deploy/systemd/frontline-web.service); 2, one a core, is the default here, and
# BENCH_WEB_WORKERS=4 gave no better ratios on 5 December (the echo app gained as much).
WEB_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "2"))


@contextmanager
def gunicorn(app: str, env: dict[str, str], *, workers: int = WEB_WORKERS) -> Iterator[int]:
    """A gunicorn server for app (module:object) on a free port, stopped afterwards."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            # Production's settings (deploy/systemd/frontline-web.service), for the service and
            # the echo app alike: a baseline served otherwise would not be the same stack.
            "--timeout",
            "30",
            "--graceful-timeout",
            "20",
            "--config",
            "python:service.gunicorn_conf",
            app,
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        # Ready when every worker answers, not when the master listens: on a loaded machine a
        # worker can take many seconds to import the app, and requests sent meanwhile would
        # time out and count against it.
        deadline = time.monotonic() + 180
        answered = 0
        while answered < workers * 4:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{app} did not start")
            try:
                conn = HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request("GET", "/")
                conn.getresponse().read()
                conn.close()
                answered += 1
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


@dataclass
class LoadResult:
    """What a load run measured."""

    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: int

    @property
    def rate(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        """The p-th percentile latency in milliseconds."""
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0.0


Request = tuple[str, dict[str, str], dict[str, str]]  # path, headers, form


def _send(port: int, request: Request) -> tuple[float, int]:
    path, headers, form = request
    body = urllib.parse.urlencode(form)
    started = time.perf_counter()
    conn = HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(
        "POST",
        path,
        body=body,
        headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
    )
    response = conn.getresponse()
    response.read()
    conn.close()
    return (time.perf_counter() - started) * 1000, response.status


@contextmanager
def heap_frozen() -> Iterator[None]:
    """Keep the driver's own heap out of the collector's scans while it times requests.

    A bench process holds its signed requests, hundreds of thousands of objects: a full
    collection of them held the GIL for tens of milliseconds, and every request in flight
    counted the pause as server latency. With 120,000 requests held, the echo app's p99 at
    550 r/s read 3.4-9.5 ms (max 21-31 ms) unfrozen and 1.5-2.0 ms (max 3.7-5.4 ms) frozen; at
    the JOIN + YES p99 row of a whole sms_webhook run it read 24-29 ms. Only objects made
    during the timing are scanned; all are scanned again afterwards (gc.unfreeze: so not nested,
    nor inside a freeze of the caller's own).
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def closed_loop(
    port: int, conversations: Sequence[Sequence[Request]], concurrency: int
) -> LoadResult:
    """Send every conversation (its texts in order) as fast as `concurrency` clients can."""
    lock = threading.Lock()
    cursor = iter(conversations)
    latencies: list[float] = []
    errors = 0

    def client() -> None:
        nonlocal errors
        while True:
            with lock:
                conversation = next(cursor, None)
            if conversation is None:
                return
            for request in conversation:
                ms, status = _send(port, request)
                with lock:
                    latencies.append(ms)
                    errors += status != 200

    with heap_frozen():
        started = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    return LoadResult(len(latencies), elapsed, latencies, errors)


def encoded(port: int, request: Request) -> bytes:
    """The request as bytes on the wire: HTTP/1.1, the form URL-encoded, Connection: close."""
    path, headers, form = request
    body = urllib.parse.urlencode(form).encode()
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: application/x-www-form-urlencoded",
        f"Content-Length: {len(body)}",
        "Connection: close",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


@dataclass
class _InFlight:
    due: float
    unsent: bytes
    answer: bytearray


def _answered_200(answer: bytes) -> bool:
    status = answer.split(b"\r\n", 1)[0].split()
    return len(status) >= 2 and status[0].startswith(b"HTTP/") and status[1] == b"200"


def open_loop(
    port: int, requests: Sequence[Request], rate: float, timeout: float = 10.0
) -> LoadResult:
    """Send requests on a fixed schedule at `rate` a second; latency counts from the schedule.

    One thread, non-blocking sockets and a selector, every request encoded before the clock
    starts: the driver does little per request and never waits for a lock of its own. (It
    was a thread per request: under a loaded server those threads were late to start and slow
    to read their answers, and the gunicorn worker each answered waits for its client to
    close. At 475 JOIN + YES texts a second on SQLite, p99 over eight windows read 4.0-69 ms
    with threads against 4.0-18 ms with this, and the echo app's 1.6-2.2 ms against 1.8-2.6.)
    A request is done when the server has answered and closed (gunicorn's sync workers close
    after each answer); not answered within `timeout` of its place in the schedule, or not
    200, it counts as an error. (epoll waits in whole milliseconds: a send can be up to 1 ms
    late, counted as latency, for the service and its baseline alike.)
    """
    wire = [encoded(port, request) for request in requests]
    interval = 1 / rate
    address = ("127.0.0.1", port)
    selector = selectors.DefaultSelector()
    latencies: list[float] = []
    errors = 0
    sent = 0
    # In the order sent, so in the order due: the first is the first to time out.
    in_flight: dict[socket.socket, _InFlight] = {}

    def finish(sock: socket.socket, ok: bool) -> None:
        nonlocal errors
        flight = in_flight.pop(sock)
        latencies.append((time.perf_counter() - flight.due) * 1000)
        errors += not ok
        selector.unregister(sock)
        sock.close()

    try:
        with heap_frozen():
            started = time.perf_counter()
            while sent < len(wire) or in_flight:
                now = time.perf_counter()
                while sent < len(wire) and started + sent * interval <= now:
                    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    sock.setblocking(False)
                    sock.connect_ex(address)  # in progress: writable once connected
                    flight = _InFlight(started + sent * interval, wire[sent], bytearray())
                    in_flight[sock] = flight
                    selector.register(sock, selectors.EVENT_WRITE)
                    sent += 1
                while in_flight:
                    oldest = next(iter(in_flight))
                    if in_flight[oldest].due + timeout > now:
                        break
                    finish(oldest, False)  # never answered: an error, not a hang
                # Until the next is due, or the oldest in flight times out.
                deadline = started + sent * interval if sent < len(wire) else now + timeout
                if in_flight:
                    deadline = min(deadline, next(iter(in_flight.values())).due + timeout)
                wait = deadline - time.perf_counter()
                for key, events in selector.select(max(0.0, wait)):
                    sock = key.fileobj
                    flight = in_flight[sock]
                    try:
                        if events & selectors.EVENT_WRITE:
                            flight.unsent = flight.unsent[sock.send(flight.unsent) :]
                            if not flight.unsent:
                                selector.modify(sock, selectors.EVENT_READ)
                            continue
                        chunk = sock.recv(65536)
                    except BlockingIOError:
                        continue  # not ready after all: the selector says again
                    except OSError:
                        # Refused or reset. A server that answered before reading the whole
                        # request resets after its answer: that answer still counts.
                        finish(sock, _answered_200(flight.answer))
                        continue
                    if chunk:
                        flight.answer += chunk
                    else:
                        finish(sock, _answered_200(flight.answer))
            elapsed = time.perf_counter() - started
    finally:
        for sock in in_flight:
            sock.close()
        selector.close()
    return LoadResult(len(wire), elapsed, latencies, errors)


def record(figures: Sequence[Figure]) -> None:
    """Merge this bench's figures into bench/results.json and print them."""
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for figure in figures:
        existing.setdefault(figure.bench, {})[figure.name] = {
            **asdict(figure),
            "ratio": figure.ratio,
        }
    RESULTS.write_text(json.dumps(existing, indent=2, sort_keys=True) + "\n")
    print_table(figures)


def print_table(figures: Sequence[Figure]) -> None:
    """One row per figure: value, baseline, ratio, target (and the baseline before / after)."""
    print(f"{'figure':52} {'value':>14} {'baseline':>14} {'ratio':>7}  target")
    for f in figures:
        drift = (
            f"  [baseline before {f.baseline_before:.1f} / after {f.baseline_after:.1f}]"
            if f.baseline_before is not None and f.baseline_after is not None
            else ""
        )
        print(
            f"{f.bench + ': ' + f.name:52} {f.value:>9.1f} {f.unit:<4} "
            f"{f.baseline:>9.1f} {f.unit:<4} {f.ratio:>7.2f}  {f.target}{drift}"
        )


def bracketed(
    bench: str,
    name: str,
    measure: Callable[[], float],
    baseline: Callable[[], float],
    unit: str,
    **kwargs: object,
) -> Figure:
    """A figure whose baseline is measured immediately before and after it (their mean).

    On a shared machine the load moves within minutes, so a baseline taken once at the start
    of a run says little about a row measured later; one taken on either side of it does.
    """
    before = baseline()
    value = measure()
    after = baseline()
    load = os.getloadavg()[0]
    print(
        f"{bench}: {name}: {value:.1f} {unit}, baseline {before:.1f} before and "
        f"{after:.1f} after, load {load:.1f}",
        flush=True,
    )
    return Figure(
        bench,
        name,
        value,
        (before + after) / 2,
        unit,
        baseline_before=before,
        baseline_after=after,
        **kwargs,
    )  # type: ignore[arg-type]


def median_of(runs: int, measure: Callable[[], float]) -> float:
    """The median of several measurements, to damp a shared machine's noise."""
    return statistics.median(measure() for _ in range(runs))


def own_postgres_database(name: str) -> str | None:
    """A fresh database called name on the PostgreSQL server the tests use (BENCH_POSTGRES_URL's
    server, else FRONTLINE_TEST_DATABASE_URL's, else the local one), or None when none answers.
    """
    from sqlalchemy.engine import make_url

    from bench.cluster import create_database, drop_database

    server = (
        os.environ.get("BENCH_POSTGRES_URL")
        or os.environ.get("FRONTLINE_TEST_DATABASE_URL")
        or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        drop_database(url)
        create_database(url)
    except Exception as error:  # no server: the SQLite rows still stand
        print(f"note: no PostgreSQL rows ({type(error).__name__}: {error})")
        return None
    return url
