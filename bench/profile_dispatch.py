"""cProfile of the worker's send loop in-process: a broadcast's rows sent to the fake Twilio.

The fake runs in a process of its own (as Twilio would be elsewhere), so the profile holds the
worker's own work alone. Prints the rate and CPU milliseconds a text of a bare loop of twilio
client calls and of the send loop without the profiler, then the profiled run's top functions
by own and cumulative time.
BENCH_PROFILE_TEXTS sets the size (5,000 by default); BENCH_DATABASE_URL another database.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROOT, VENV_BIN

TEXTS = int(os.environ.get("BENCH_PROFILE_TEXTS", "5000"))
TOP = 15
FAKE = (
    "import sys, time\n"
    "from tests.support.fake_twilio import FakeTwilio\n"
    "with FakeTwilio() as fake:\n"
    "    print(fake.url, flush=True)\n"
    "    sys.stdin.read()\n"
)


def prepare(count: int):
    """A council of count contacts; the app and the organisation's id."""
    from service import create_app
    from service.db import get_database
    from service.organisations.operations import create_organisation
    from tests.support.outbox import add_contacts

    app = create_app()
    database = get_database(app)
    database.queue = None  # the loop below sends; nothing is put on a queue
    with app.app_context(), database.session() as session:
        org = create_organisation(
            session, slug="profile", name="Profile Council", numbers=("+441134960000",)
        )
        add_contacts(session, org, count)
        return app, org.id


def broadcast(app, org_id: int, body: str) -> list[int]:
    """A broadcast to every contact, fanned out; its outbox rows' ids."""
    from sqlalchemy import select

    from service.broadcasts.operations import create_broadcast, send_broadcast
    from service.db import get_database, utcnow
    from service.organisations.models import Organisation
    from service.outbox.models import OutboundMessage

    with app.app_context(), get_database(app).session() as session:
        org = session.get_one(Organisation, org_id)
        sent = create_broadcast(session, org, body=body, audience="organisation")
        send_broadcast(session, sent, app.config["FRONTLINE"], utcnow())
        session.flush()
        return list(
            session.scalars(
                select(OutboundMessage.id)
                .where(OutboundMessage.broadcast_id == sent.id)
                .order_by(OutboundMessage.id)
            )
        )


def send_all(app, ids: list[int]) -> tuple[float, float]:
    """Send the rows in batches of SEND_BATCH, as a worker's tasks do; msg/s and CPU ms a text."""
    from service.db import get_database, utcnow
    from service.outbox.sending import send_batch
    from service.tasks import SEND_BATCH, _status_callback
    from service.twilio_gateway import app_transport

    config = app.config["FRONTLINE"]
    transport = app_transport(app)
    session = get_database(app).session
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(ids), SEND_BATCH):
        send_batch(
            session,
            ids[start : start + SEND_BATCH],
            config,
            transport,
            utcnow,
            _status_callback(config),
        )
    return (
        len(ids) / (time.perf_counter() - started),
        (time.process_time() - cpu) * 1000 / len(ids),
    )


def bare_loop(url: str, count: int) -> tuple[float, float]:
    """A plain loop of twilio client calls to the same fake: msg/s and CPU ms a text."""
    from twilio.rest import Client

    from service.twilio_gateway import _RedirectingHttpClient

    client = Client("AC" + "3" * 32, "t", http_client=_RedirectingHttpClient(url, 10))
    client.messages.create(to="+447400100000", from_="+441134960000", body="bare")
    started, cpu = time.perf_counter(), time.process_time()
    for n in range(count):
        client.messages.create(to=f"+4474001{n:05d}", from_="+441134960000", body="bare")
    return (count / (time.perf_counter() - started), (time.process_time() - cpu) * 1000 / count)


def main() -> None:
    fake = subprocess.Popen(
        [sys.executable, "-c", FAKE],
        cwd=ROOT,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    url = fake.stdout.readline().strip()
    try:
        with tempfile.TemporaryDirectory() as instance:
            os.environ.update(
                FRONTLINE_ENV="development",
                FRONTLINE_INSTANCE_DIR=instance,
                FRONTLINE_DATABASE_URL=os.environ.get(
                    "BENCH_DATABASE_URL", f"sqlite:///{instance}/profile.db"
                ),
                FRONTLINE_PUBLIC_URL="https://bench.invalid",
                FRONTLINE_TWILIO_ACCOUNT_SID="AC" + "2" * 32,
                FRONTLINE_TWILIO_AUTH_TOKEN="bench-token",
                FRONTLINE_TWILIO_FROM_NUMBER="+441134960000",
                FRONTLINE_TWILIO_API_URL=url,
                FRONTLINE_SMS_SEND_RATE="0",
                FRONTLINE_QUIET_HOURS="",
                FRONTLINE_MAX_DAILY_TEXTS="100",
                FRONTLINE_LOG_LEVEL="WARNING",
            )
            subprocess.run(
                [str(VENV_BIN / "frontline"), "db", "upgrade"],
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
            bare = bare_loop(url, 1000)
            app, org_id = prepare(TEXTS)
            plain = send_all(app, broadcast(app, org_id, "Depot open as usual on Monday."))
            ids = broadcast(app, org_id, "Depot closed on Tuesday.")
            profile = cProfile.Profile()
            profile.enable()
            send_all(app, ids)
            profile.disable()
            if os.environ.get("BENCH_PROFILE_OUT"):
                profile.dump_stats(os.environ["BENCH_PROFILE_OUT"])
    finally:
        fake.stdin.close()
        fake.wait(timeout=10)
    # CPU time is this process's own (the fake runs in another): other processes on a shared
    # machine stretch wall time far more than they stretch it.
    print(
        f"bare client loop: {bare[0]:.0f} msg/s, {bare[1]:.2f} CPU ms a text; send loop: "
        f"{plain[0]:.0f} msg/s, {plain[1]:.2f} CPU ms a text (ratio {plain[0] / bare[0]:.2f} "
        f"by rate, {bare[1] / plain[1]:.2f} by CPU); {TEXTS} texts, one thread"
    )
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).strip_dirs().sort_stats(order).print_stats(TOP)
        print(f"== top by {order}")
        print(out.getvalue())


if __name__ == "__main__":
    main()
