"""Outbound dispatch: broadcast fan-out into the outbox, and worker throughput vs a fake Twilio.

Fan-out of a 10,000-person broadcast is timed on SQLite and PostgreSQL (in a database of its
own, frontline_bench_dispatch or BENCH_DISPATCH_DATABASE, on the server BENCH_POSTGRES_URL or
FRONTLINE_TEST_DATABASE_URL names, else 127.0.0.1:5432; left out when none answers), against a
bare bulk insert of the same number of rows into the same table.

Worker throughput is one `frontline worker` process draining rows through the loopback fake
Twilio with the pace limit lifted. The fake answers each text after BENCH_TWILIO_LATENCY_MS
(150 by default: Twilio's API takes 100-300 ms to create a message; at 0 it answers at once
and every figure is CPU on the bench's own machine), and runs as several processes on one
port (bench/fake_farm.py): one alone caps every sender at its own share of the CPU. The
baseline is the bare twilio client in a process of its own, with as many texts in flight as
the worker keeps (its threads times FRONTLINE_SEND_WINDOW) and no database; the same client
one text at a time is shown beside it. On PostgreSQL one worker process and then 4 alike
drain a broadcast (their ratio is the scaling figure), the fakes count duplicates, and STOPs
are committed half-way through.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text
from sqlalchemy.pool import NullPool

from bench import fake_farm
from bench.common import ROOT, VENV_BIN, Figure, own_postgres_database, record
from bench.fake_farm import FAKES, FakeFarm
from tests.support.fake_twilio import FakeTwilio, process_env

FANOUT = 10_000
# Texts each drain sends (BENCH_DISPATCH_TEXTS): enough that the seconds 4 processes take to
# start (which compete with the first ones sending) weigh little in their rate.
DRAIN = int(os.environ.get("BENCH_DISPATCH_TEXTS", "20000"))
THREADS = 4  # huey threads in each worker process
LATENCY = float(os.environ.get("BENCH_TWILIO_LATENCY_MS", "150")) / 1000
WINDOW = 32  # texts a thread keeps in flight (the default FRONTLINE_SEND_WINDOW)
FRONTLINE = str(VENV_BIN / "frontline")


def env_for(instance: str, database_url: str, fake_url: str, queue_url: str = "") -> dict:
    queue = {"QUEUE_URL": queue_url} if queue_url else {}
    return process_env(instance, fake_url, DATABASE_URL=database_url, **queue)


FANOUT_SCRIPT = """
import sys, time
from sqlalchemy import delete, insert, select
from service import create_app
from service.broadcasts.operations import create_broadcast, send_broadcast
from service.contacts.models import Contact
from service.db import get_database, utcnow
from service.organisations.operations import create_organisation
from service.outbox.models import OutboundMessage
from tests.support.outbox import add_contacts

count, queue_rows = int(sys.argv[1]), sys.argv[2] == "queue"
app = create_app()
database = get_database(app)
if not queue_rows:
    database.queue = None  # time the fan-out alone; the caller drains separately
with app.app_context():
    with database.session() as session:
        org = create_organisation(session, slug="bench", name="Bench Council",
                                  numbers=("+441134960000",))
        add_contacts(session, org, count)
    with database.session() as session:
        # Baseline: a bare bulk insert of the same number of rows into the same table.
        started = time.perf_counter()
        contact_ids = session.scalars(select(Contact.id)).all()
        session.execute(insert(OutboundMessage), [
            {"organisation_id": org.id, "contact_id": cid, "kind": "bench",
             "dedupe_key": f"bare:{cid}", "body_encrypted": "x", "body_hash": "x",
             "status": "cancelled"} for cid in contact_ids])
        session.flush()
        bare = time.perf_counter() - started
        session.execute(delete(OutboundMessage))
    with database.session() as session:
        org = session.get(type(org), org.id)
        broadcast = create_broadcast(session, org, body="Bin rounds change on Monday.",
                                     audience="organisation")
        started = time.perf_counter()
        written = send_broadcast(session, broadcast, app.config["FRONTLINE"], utcnow())
        session.flush()
        fanout = time.perf_counter() - started
    assert written == count, written
print(f"{fanout} {bare}")
"""


def fan_out(env: dict, count: int, queue_rows: bool) -> tuple[float, float]:
    """(fan-out seconds, bare insert seconds) in a fresh process against env's database."""
    subprocess.run([FRONTLINE, "db", "upgrade"], env=env, check=True, capture_output=True)
    out = subprocess.run(
        [sys.executable, "-c", FANOUT_SCRIPT, str(count), "queue" if queue_rows else "no"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.split()
    return float(out[-2]), float(out[-1])


def reset_postgres(url: str) -> None:
    from service.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def unfinished(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT count(*) FROM outbound_message WHERE status IN ('pending', 'sending')")
        ).scalar_one()


def cpu_seconds(pids: list[int]) -> float:
    """CPU seconds (user and system, every thread) the processes have used so far."""
    return sum(_cpu_of(pid) or 0.0 for pid in pids)


def _cpu_of(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None  # gone
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def machine_busy_seconds() -> float:
    """CPU seconds every core of the machine has spent busy so far (not idle, not waiting)."""
    ticks = [int(t) for t in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


class CpuSplit:
    """CPU seconds spent from a mark on, by group of processes: where a text's CPU goes.

    Groups are fixed pids (the workers, the fakes) or found at each look (the PostgreSQL
    backends connected to the bench's database, which come and go with the pools): a pid
    first seen after the mark counts from its first sight. "machine" is every core's busy
    time, the other agents sharing it included.
    """

    def __init__(self, groups: dict[str, Callable[[], list[int]]]) -> None:
        self.groups = groups
        self.base: dict[str, dict[int, float]] = {name: {} for name in groups}
        self.last: dict[str, dict[int, float]] = {name: {} for name in groups}
        self.machine = [0.0, 0.0]
        self.marked = False

    def look(self, *, mark: bool = False) -> None:
        """Read every group's CPU now; with mark, the split counts from here."""
        for name, pids in self.groups.items():
            for pid in pids():
                cpu = _cpu_of(pid)
                if cpu is None:
                    continue
                if mark or pid not in self.base[name]:
                    self.base[name][pid] = cpu
                self.last[name][pid] = cpu
        if mark:
            self.machine[0] = machine_busy_seconds()
            self.marked = True
        self.machine[1] = machine_busy_seconds()

    def seconds(self) -> dict[str, float]:
        """CPU seconds by group since the mark, and the machine's."""
        split = {
            name: sum(self.last[name][pid] - self.base[name][pid] for pid in self.last[name])
            for name in self.groups
        }
        split["machine"] = self.machine[1] - self.machine[0]
        return split


def postgres_backends(url: str) -> Callable[[], list[int]]:
    """The server processes of the connections to url's database (none but ours use it)."""
    from sqlalchemy import create_engine

    engine = create_engine(url, poolclass=NullPool)

    def pids() -> list[int]:
        with engine.connect() as conn:
            return list(
                conn.execute(
                    text(
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                        " AND pid <> pg_backend_pid()"
                    )
                ).scalars()
            )

    return pids


@dataclass
class Drained:
    """A drain's rate, the texts it was timed over and its seconds, and its CPU split."""

    rate: float
    texts: int
    seconds: float
    cpu: dict[str, float]  # CPU seconds by group ("workers" first), from the first text sent

    def per_text(self, group: str) -> float:
        """CPU milliseconds of the group a text."""
        return self.cpu[group] * 1000 / self.texts

    def cores(self, group: str) -> float:
        """Cores the group kept busy on average while the texts went."""
        return self.cpu[group] / self.seconds


def drain(env: dict, workers: int, threads: int, watch=None, others: dict | None = None) -> Drained:
    """Messages a second while `workers` worker processes send everything queued, and the
    CPU the workers (and `others`: name -> pids of other processes to count) spent.

    The clock starts at the first row sent, not at the processes' start: importing the app
    takes seconds on a loaded machine (25 s for 4 processes at once at load 19), and that is
    no part of a worker's sending rate (nor is the CPU spent importing part of a text's).
    watch(processes, rows left), when given, is called at each look and once more at the end.
    """
    from sqlalchemy import create_engine

    # A plain engine: the app's own begins every SQLite transaction with a write lock, and the
    # looks below would queue behind the worker's writes (and time out on a loaded machine).
    engine = create_engine(env["FRONTLINE_DATABASE_URL"])
    total = unfinished(engine)
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            [FRONTLINE, "worker", "--workers", str(threads)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    first: tuple[float, int] | None = None  # when the first rows were seen sent, and how many left
    split = CpuSplit({"workers": lambda: [p.pid for p in processes], **(others or {})})
    try:
        while (left := unfinished(engine)) > 0:
            if first is None and left < total:
                first = (time.perf_counter(), left)
                split.look(mark=True)
            elif first is not None:
                split.look()
            if time.perf_counter() - started > 600:
                raise RuntimeError(f"{left} messages still unsent after 10 minutes")
            if watch is not None:
                watch(processes, left)
            time.sleep(0.2)
        split.look()
        if watch is not None:
            watch(processes, 0)
    finally:
        for p in processes:
            p.terminate()
        for p in processes:
            p.wait(timeout=30)
        engine.dispose()
    if first is None:  # all sent between two looks: no split to speak of
        seconds = time.perf_counter() - started
        return Drained(total / seconds, total, seconds, {"workers": 0.0})
    seconds = time.perf_counter() - first[0]
    return Drained(first[1] / seconds, first[1], seconds, split.seconds())


BARE_LOOP = """
import sys, time
from twilio.rest import Client
from service.twilio_gateway import _RedirectingHttpClient

url, count = sys.argv[1], int(sys.argv[2])
client = Client("AC" + "3" * 32, "t", http_client=_RedirectingHttpClient(url, 10))
client.messages.create(to="+447400100000", from_="+441134960000", body="bare")  # connect
started, cpu = time.perf_counter(), time.process_time()
for n in range(count):
    client.messages.create(to=f"+4474001{n:05d}", from_="+441134960000", body="bare")
print(count / (time.perf_counter() - started), (time.process_time() - cpu) * 1000 / count)
"""

# The twilio library's own async client, as it comes (no code of ours), pointed at the fake.
BARE_IN_FLIGHT = """
import asyncio, sys, time, warnings
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

warnings.simplefilter("ignore", DeprecationWarning)  # aiohttp's, about the library's auth
url, count, in_flight = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])


class AtFake(AsyncTwilioHttpClient):
    async def request(self, method, uri, *args, **kwargs):
        return await super().request(method, url + uri[len("https://api.twilio.com"):],
                                     *args, **kwargs)


async def main():
    client = Client("AC" + "3" * 32, "t", http_client=AtFake())
    room = asyncio.Semaphore(in_flight)

    async def one(n):
        async with room:
            await client.messages.create_async(to=f"+4474001{n % 100000:05d}",
                                               from_="+441134960000", body="bare")

    await asyncio.gather(*(one(n) for n in range(in_flight)))  # connect
    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(one(n) for n in range(count)))
    print(count / (time.perf_counter() - started), (time.process_time() - cpu) * 1000 / count)
    await client.http_client.close()

asyncio.run(main())
"""


def bare_client_rate(fake: FakeFarm, count: int, in_flight: int = 1) -> tuple[float, float]:
    """Messages a second from bare twilio client calls, in a process of its own, and the CPU
    milliseconds it spent a text."""
    script, extra = (BARE_LOOP, []) if in_flight == 1 else (BARE_IN_FLIGHT, [str(in_flight)])
    out = subprocess.run(
        [sys.executable, "-c", script, fake.url, str(count), *extra],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rate, cpu_ms = out.split()[-2:]
    return float(rate), float(cpu_ms)


class StopDuringSend:
    """Half-way through a drain, STOP from people whose texts are claimed and from some waiting.

    The STOP is committed as the SMS webhook commits it (the contact's opted_out_at). Texts
    claimed in a batch that is being sent must not reach Twilio once it is on record, bar
    those each sending thread had checked and in flight at that moment (its window); texts
    still pending must never go.
    """

    def __init__(self, engine, total: int, people: int = 20) -> None:
        self.engine, self.total, self.people = engine, total, people
        self.claimed: list[int] = []  # contacts stopped with their text claimed, not yet sent
        self.pending: list[int] = []  # contacts stopped with their text still pending
        self.mark = -1.0  # when the STOPs were on record (the fakes' clock)

    def __call__(self, processes, left: int) -> None:
        """The drain's watch: act once, when about half the texts are left."""
        if self.mark >= 0 or left > self.total // 2:
            return
        with self.engine.begin() as conn:
            self.claimed = list(
                conn.execute(
                    text(
                        "SELECT contact_id FROM outbound_message WHERE status = 'sending' AND "
                        "twilio_sid IS NULL ORDER BY id DESC LIMIT :n"
                    ),
                    {"n": self.people},
                ).scalars()
            )
            self.pending = list(
                conn.execute(
                    text(
                        "SELECT contact_id FROM outbound_message WHERE status = 'pending' "
                        "ORDER BY id DESC LIMIT :n"
                    ),
                    {"n": self.people},
                ).scalars()
            )
            stopped = self.claimed + self.pending
            if stopped:
                conn.execute(
                    text(
                        "UPDATE contact SET opted_out_at = CURRENT_TIMESTAMP WHERE id IN ("
                        + ",".join(str(int(c)) for c in stopped)
                        + ")"
                    )
                )
        self.mark = fake_farm.now()

    def sids_of(self, contacts: list[int]) -> set[str]:
        """The SIDs recorded for texts to these contacts."""
        if not contacts:
            return set()
        with self.engine.connect() as conn:
            return set(
                conn.execute(
                    text(
                        "SELECT twilio_sid FROM outbound_message WHERE twilio_sid IS NOT NULL AND "
                        "contact_id IN (" + ",".join(str(int(c)) for c in contacts) + ")"
                    )
                ).scalars()
            )


def main() -> None:
    figures = []
    # A database of its own (every run drops its schema), on the tests' server or the local one.
    postgres = own_postgres_database(
        os.environ.get("BENCH_DISPATCH_DATABASE", "frontline_bench_dispatch")
    )
    with tempfile.TemporaryDirectory() as tmp, FakeTwilio() as fake:
        sqlite_env = env_for(tmp, f"sqlite:///{tmp}/bench.db", fake.url)
        fanout, bare = fan_out(sqlite_env, FANOUT, queue_rows=False)
        figures.append(
            Figure(
                "dispatch",
                "fan-out 10,000 into outbox (SQLite)",
                fanout * 1000,
                bare * 1000,
                "ms",
                higher_is_better=False,
                target="<= 1000 ms",
            )
        )
        if postgres:
            reset_postgres(postgres)
            pg_env = env_for(tmp, postgres, fake.url)
            fanout, bare = fan_out(pg_env, FANOUT, queue_rows=False)
            figures.append(
                Figure(
                    "dispatch",
                    "fan-out 10,000 into outbox (PostgreSQL)",
                    fanout * 1000,
                    bare * 1000,
                    "ms",
                    higher_is_better=False,
                    target="<= 1000 ms",
                )
            )
    latency = f"Twilio answering in {LATENCY * 1000:.0f} ms, {FAKES} fake processes"
    in_flight = THREADS * WINDOW
    with FakeFarm(LATENCY) as fake:
        baseline, baseline_cpu = bare_client_rate(fake, max(2000, in_flight * 20), in_flight)
        one_at_a_time, _ = bare_client_rate(fake, 1000 if LATENCY < 0.01 else 40)
    figures.append(
        Figure(
            "dispatch",
            f"bare twilio client, {in_flight} in flight, 1 process ({latency})",
            baseline,
            baseline,
            "msg/s",
            target="the baseline",
        )
    )
    figures.append(
        Figure(
            "dispatch",
            f"bare twilio client, {in_flight} in flight: CPU a text",
            baseline_cpu * 1000,
            baseline_cpu * 1000,
            "µs",
            higher_is_better=False,
            target="the baseline",
        )
    )
    figures.append(
        Figure(
            "dispatch",
            "bare twilio client, one text at a time, 1 process",
            one_at_a_time,
            baseline,
            "msg/s",
            target="(what one at a time gives)",
        )
    )
    with tempfile.TemporaryDirectory() as tmp2:
        env = env_for(tmp2, f"sqlite:///{tmp2}/drain.db", "http://127.0.0.1:1")
        fan_out(env, DRAIN, queue_rows=True)
        with FakeFarm(LATENCY) as fake:
            drained = drain(
                {**env, "FRONTLINE_TWILIO_API_URL": fake.url},
                workers=1,
                threads=THREADS,
                others={"fake Twilio": fake.pids},
            )
            rate, cpu = drained.rate, drained.per_text("workers")
            fake.stop()
            sqlite_duplicates = fake.duplicates()
    figures.append(
        Figure(
            "dispatch",
            f"worker throughput, 1 process, {THREADS} threads (SQLite)",
            rate,
            baseline,
            "msg/s",
            target=">= 500 msg/s, >= 0.70",
        )
    )
    # The worker's own CPU a text beside the bare client's: what a worker adds to a send.
    figures.append(
        Figure(
            "dispatch",
            "worker CPU a text, 1 process (SQLite)",
            cpu * 1000,
            baseline_cpu * 1000,
            "µs",
            higher_is_better=False,
            target="(what the worker adds)",
        )
    )

    if postgres:
        from service.db import make_engine

        rates, cpus, duplicates, stops, drains = {}, {}, {}, {}, {}
        for workers in (1, 4):
            reset_postgres(postgres)
            with tempfile.TemporaryDirectory() as tmp3:
                env = env_for(tmp3, postgres, "http://127.0.0.1:1", queue_url=postgres)
                fan_out(env, DRAIN, queue_rows=True)
                engine = make_engine(postgres)
                stop = StopDuringSend(engine, DRAIN)
                with FakeFarm(LATENCY) as fake:
                    drains[workers] = drain(
                        {**env, "FRONTLINE_TWILIO_API_URL": fake.url},
                        workers=workers,
                        threads=THREADS,
                        watch=stop,
                        others={
                            "fake Twilio": fake.pids,
                            "PostgreSQL": postgres_backends(postgres),
                        },
                    )
                    rates[workers] = drains[workers].rate
                    cpus[workers] = drains[workers].per_text("workers")
                    claimed, pending = stop.sids_of(stop.claimed), stop.sids_of(stop.pending)
                    fake.stop()
                    duplicates[workers] = fake.duplicates()
                    stops[workers] = (
                        fake.taken_after(claimed, stop.mark),
                        len(stop.claimed),
                        fake.taken_after(pending, stop.mark),
                        len(stop.pending),
                        workers * THREADS * WINDOW,
                    )
                engine.dispose()
        reset_postgres(postgres)
        figures.append(
            Figure(
                "dispatch",
                f"worker throughput, 1 process, {THREADS} threads (PostgreSQL)",
                rates[1],
                baseline,
                "msg/s",
                target=">= 500 msg/s, >= 0.70",
            )
        )
        figures.append(
            Figure(
                "dispatch",
                "4 worker processes vs 1 (PostgreSQL)",
                rates[4],
                rates[1],
                "msg/s",
                target=">= 3.00",
            )
        )
        for workers in (1, 4):
            figures.append(
                Figure(
                    "dispatch",
                    f"worker CPU a text, {workers} process(es) (PostgreSQL)",
                    cpus[workers] * 1000,
                    baseline_cpu * 1000,
                    "µs",
                    higher_is_better=False,
                    target="(what the worker adds)",
                )
            )
        # Where each text's CPU went, and how busy each part kept the machine's cores: the
        # workers, the fakes standing in for Twilio, PostgreSQL's backends for this database
        # (its shared writers aside), and the whole machine, other agents' work included.
        for workers in (1, 4):
            split = drains[workers]
            for group in ("workers", "fake Twilio", "PostgreSQL", "machine"):
                figures.append(
                    Figure(
                        "dispatch",
                        f"CPU a text, {workers} process(es) (PostgreSQL): {group}",
                        split.per_text(group) * 1000,
                        baseline_cpu * 1000,
                        "µs",
                        higher_is_better=False,
                        target="(baseline: the bare client's)",
                    )
                )
                figures.append(
                    Figure(
                        "dispatch",
                        f"cores busy, {workers} process(es) (PostgreSQL): {group}",
                        split.cores(group),
                        os.cpu_count() or 1,
                        "cores",
                        higher_is_better=False,
                        target="(baseline: the machine's cores)",
                    )
                )
        # Whether 3x is within the machine's reach: the workers' CPU alone at three times one
        # process's rate (PostgreSQL and the fakes need theirs besides), against its cores.
        figures.append(
            Figure(
                "dispatch",
                "CPU cores the workers need at 3x one process",
                3 * rates[1] * cpus[4] / 1000,
                os.cpu_count() or 1,
                "cores",
                higher_is_better=False,
                target="< 1.00 for 3x to be reachable here",
            )
        )
        figures.append(
            Figure(
                "dispatch",
                "duplicates, 1 and 4 processes (PostgreSQL)",
                duplicates[1] + duplicates[4],
                1,
                "",
                higher_is_better=False,
                target="0",
            )
        )
        for workers, (claimed_after, claimed, pending_after, pending, in_flight) in stops.items():
            figures.append(
                Figure(
                    "dispatch",
                    f"STOP mid-batch, {workers} process(es): claimed, sent after",
                    claimed_after,
                    claimed,
                    "",
                    higher_is_better=False,
                    target=f"<= {in_flight} (those in flight: the threads' windows)",
                )
            )
            figures.append(
                Figure(
                    "dispatch",
                    f"STOP mid-batch, {workers} process(es): pending, sent after",
                    pending_after,
                    pending,
                    "",
                    higher_is_better=False,
                    target="0",
                )
            )
    figures.append(
        Figure(
            "dispatch",
            "duplicates, 1 process (SQLite)",
            sqlite_duplicates,
            1,
            "",
            higher_is_better=False,
            target="0",
        )
    )
    record(figures)


if __name__ == "__main__":
    main()
