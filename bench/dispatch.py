"""Outbound dispatch: broadcast fan-out into the outbox, and worker throughput vs a fake Twilio.

Fan-out of a 10,000-person broadcast is timed on SQLite and (when FRONTLINE_TEST_DATABASE_URL
or BENCH_POSTGRES_URL names one) PostgreSQL, against a bare bulk insert of the same number of
rows into the same table. Worker throughput is one `frontline worker` process draining rows
through the loopback fake Twilio with the pace limit lifted, against a bare loop of twilio
client calls to the same fake, run in its own process as the worker is, in the same run. On
PostgreSQL one worker process and then 4 drain a broadcast (their ratio is the scaling figure)
and the fake counts duplicates.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from bench.common import ROOT, VENV_BIN, Figure, record
from tests.support.fake_twilio import FakeTwilio, process_env

FANOUT = 10_000
DRAIN = 3_000
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
        env=env, check=True, capture_output=True, text=True, cwd=ROOT,
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
        return conn.execute(text(
            "SELECT count(*) FROM outbound_message WHERE status IN ('pending', 'sending')"
        )).scalar_one()


def drain(env: dict, workers: int, threads: int, watch=None) -> float:
    """Messages a second while `workers` worker processes send everything queued.

    The clock starts at the first row sent, not at the processes' start: importing the app
    takes seconds on a loaded machine (25 s for 4 processes at once at load 19), and that is
    no part of a worker's sending rate. watch(processes, rows left), when given, is called at
    each look and once more at the end.
    """
    from service.db import make_engine

    engine = make_engine(env["FRONTLINE_DATABASE_URL"])
    total = unfinished(engine)
    started = time.perf_counter()
    processes = [
        subprocess.Popen([FRONTLINE, "worker", "--workers", str(threads)], env=env, cwd=ROOT,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(workers)
    ]
    first: tuple[float, int] | None = None  # when the first rows were seen sent, and how many left
    try:
        while (left := unfinished(engine)) > 0:
            if first is None and left < total:
                first = (time.perf_counter(), left)
            if time.perf_counter() - started > 600:
                raise RuntimeError(f"{left} messages still unsent after 10 minutes")
            if watch is not None:
                watch(processes, left)
            time.sleep(0.2)
        if watch is not None:
            watch(processes, 0)
    finally:
        for p in processes:
            p.terminate()
        for p in processes:
            p.wait(timeout=30)
        engine.dispose()
    if first is None:  # all sent between two looks
        return total / (time.perf_counter() - started)
    return first[1] / (time.perf_counter() - first[0])


BARE_LOOP = """
import sys, time
from twilio.rest import Client
from service.twilio_gateway import _RedirectingHttpClient

url, count = sys.argv[1], int(sys.argv[2])
client = Client("AC" + "3" * 32, "t", http_client=_RedirectingHttpClient(url, 10))
client.messages.create(to="+447400100000", from_="+441134960000", body="bare")  # connect
started = time.perf_counter()
for n in range(count):
    client.messages.create(to=f"+4474001{n:05d}", from_="+441134960000", body="bare")
print(count / (time.perf_counter() - started))
"""


def bare_client_rate(fake: FakeTwilio, count: int) -> float:
    """Messages a second from a plain loop of twilio client calls, in a process of its own."""
    out = subprocess.run([sys.executable, "-c", BARE_LOOP, fake.url, str(count)], cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True,
                         capture_output=True, text=True).stdout
    return float(out.split()[-1])


def main() -> None:
    figures = []
    postgres = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get(
        "FRONTLINE_TEST_DATABASE_URL")
    with FakeTwilio() as fake, tempfile.TemporaryDirectory() as tmp:
        sqlite_env = env_for(tmp, f"sqlite:///{tmp}/bench.db", fake.url)
        fanout, bare = fan_out(sqlite_env, FANOUT, queue_rows=False)
        figures.append(Figure("dispatch", "fan-out 10,000 into outbox (SQLite)", fanout * 1000,
                              bare * 1000, "ms", higher_is_better=False, target="<= 1000 ms"))
        if postgres:
            reset_postgres(postgres)
            pg_env = env_for(tmp, postgres, fake.url)
            fanout, bare = fan_out(pg_env, FANOUT, queue_rows=False)
            figures.append(Figure("dispatch", "fan-out 10,000 into outbox (PostgreSQL)",
                                  fanout * 1000, bare * 1000, "ms", higher_is_better=False,
                                  target="<= 1000 ms"))

        baseline = bare_client_rate(fake, 1000)
        with tempfile.TemporaryDirectory() as tmp2:
            env = env_for(tmp2, f"sqlite:///{tmp2}/drain.db", fake.url)
            fan_out(env, DRAIN, queue_rows=True)
            rate = drain(env, workers=1, threads=4)
        figures.append(Figure("dispatch", "worker throughput, 1 process (SQLite)", rate,
                              baseline, "msg/s", target=">= 500 msg/s, >= 0.70"))

        if postgres:
            rates = {}
            for workers, threads in ((1, 4), (4, 2)):
                reset_postgres(postgres)
                with tempfile.TemporaryDirectory() as tmp3:
                    env = env_for(tmp3, postgres, fake.url, queue_url=postgres)
                    fake.sent.clear()
                    fan_out(env, DRAIN, queue_rows=True)
                    rates[workers] = drain(env, workers=workers, threads=threads)
                    per_number = Counter(m["To"] for m in fake.sent if m["Body"] != "bare")
                    duplicates = sum(per_number.values()) - len(per_number)
            reset_postgres(postgres)
            figures.append(Figure("dispatch", "worker throughput, 1 process (PostgreSQL)",
                                  rates[1], baseline, "msg/s", target=">= 500 msg/s"))
            figures.append(Figure("dispatch", "4 worker processes vs 1 (PostgreSQL)", rates[4],
                                  rates[1], "msg/s", target=">= 3.00"))
            figures.append(Figure("dispatch", "duplicates, 4 processes (PostgreSQL)",
                                  duplicates, 1, "", higher_is_better=False, target="0"))
    record(figures)


if __name__ == "__main__":
    main()
