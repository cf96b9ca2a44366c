"""`make bench-scale`: the hot and heavy paths at national scale, each beside demo size.

Two PostgreSQL databases, each filled by bench/scale_data.py: bench_scale_demo at demo size
(1,000 contacts) and bench_scale at BENCH_SCALE (1.0: a million contacts, 5,000,000 inbound
rows). The same measurements run on both, in the same run, and one table prints each figure
beside its demo-size baseline with the ratio, the target and whether it was met. Webhooks go
through gunicorn (2 workers) driven by wrk and pre-signed requests (bench/sms_webhook.py);
the console's pages through the app itself, signed in as an admin; purge, fan-out and key
rotation in processes of their own, as the worker and the command run them.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import during_bulk, scale_data, sms_webhook, wrk_driver
from bench.cluster import create_database
from bench.common import ROOT, VENV_BIN, gunicorn, open_loop

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/"
DEMO_SCALE = 0.001
# Two data keys, taken in turn: each run's rotation moves the data to the other one, and the
# database records which is current (bench_scale_progress, phase "data key").
DATA_KEYS = ("bench-scale-key-a", "bench-scale-key-b")
ROTATE_FIRST_RUN_SECONDS = 20
# A fan-out at a million rows can outlast a bench run: it gets this long (BENCH_WINDOW), then
# is stopped, and its rate and how far it got are what is reported.
WINDOW = float(os.environ.get("BENCH_WINDOW", "120"))
# The purge and the rotation have no time target, only to finish (and the rotation to resume
# after a kill): each gets long enough to finish (BENCH_LONG_WINDOW). On two cores the purge,
# paced, deleted 5,700-16,500 rows/s (5,000,000 in 5-15 minutes); the rotation moves ~4,800
# contacts/s.
LONG_WINDOW = float(os.environ.get("BENCH_LONG_WINDOW", "1200"))
WEBHOOK_MEMBERS = 1000
# The p99s at half rate are compared across the two databases, so both are measured in the
# same minutes: two servers up at once, driven in turn, ROUNDS rounds each of ROUND_TEXTS texts
# (A B B A A B ...), each side's figure the median of its rounds' p99s. One p99 of ~100 texts,
# minutes apart from its baseline, gave ratios 0.56-1.50 from run to run on this machine. With
# five rounds, EVENTS read 1.28 in one run of three on 6 December (0.97 and 0.99 in the others):
# a burst that slows two of one side's rounds moves its median less among nine rounds than five.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "9"))
ROUND_TEXTS = int(os.environ.get("BENCH_ROUND_TEXTS", "1000"))
# wrk's JOIN+YES peak uses at most this many joiners; the rounds take fresh ones after them.
WRK_JOINERS = 1000
RESULTS = ROOT / "bench" / "scale_results.json"
FRONTLINE = str(VENV_BIN / "frontline")


def libpq(url: str) -> str:
    """The libpq form of a SQLAlchemy PostgreSQL url."""
    return url.replace("postgresql+psycopg://", "postgresql://")


def current_key(url: str) -> int:
    """Which of DATA_KEYS the database's values are under (0 until a rotation says)."""
    with psycopg.connect(libpq(url)) as conn:
        found = conn.execute(
            "SELECT done FROM bench_scale_progress WHERE phase = 'data key'"
        ).fetchone()
    return int(found[0]) if found else 0


def set_key(url: str, which: int) -> None:
    """Record which key the values are under now."""
    with psycopg.connect(libpq(url)) as conn:
        conn.execute("DELETE FROM bench_scale_progress WHERE phase = 'data key'")
        conn.execute("INSERT INTO bench_scale_progress VALUES ('data key', %s)", (which,))


def environment(name: str, key: int) -> dict[str, str]:
    """The service's settings for one of the bench databases."""
    env = sms_webhook.service_env(str(ROOT / "instance" / name))
    env.update(
        FRONTLINE_DATABASE_URL=PG + name,
        FRONTLINE_DATA_KEY=DATA_KEYS[key],
        # A rotation stopped part-way leaves rows under either key: both always read.
        FRONTLINE_OLD_DATA_KEYS=DATA_KEYS[1 - key],
        FRONTLINE_SECRET_KEY="bench-scale-secret",
        FRONTLINE_SMS_RATE_LIMIT="100000",
        PYTHONUNBUFFERED="1",
    )
    return env


def prepare(name: str, scale: float) -> dict[str, str]:
    """Create, migrate and fill (or finish filling) one database; its environment."""
    url = PG + name
    create_database(url)
    with psycopg.connect(libpq(url)) as conn:
        known = conn.execute("SELECT to_regclass('bench_scale_progress')").fetchone()[0]
    env = environment(name, current_key(url) if known else 0)
    subprocess.run([FRONTLINE, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([FRONTLINE, "demo", "--if-empty"], env=env, check=True, capture_output=True)
    print(f"== {name}: the data set at scale {scale}", flush=True)
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "scale_data.py"), "--scale", str(scale)],
        env=env,
        check=True,
    )
    _check_key(url, env["FRONTLINE_DATA_KEY"], env["FRONTLINE_OLD_DATA_KEYS"])
    # A database in use has been analysed (and its visibility map set) by autovacuum; one just
    # filled has not yet, and the planner would read a million rows by an empty table's plan.
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) contact, membership")
        # Likewise any table past autovacuum's own threshold (50 rows + 20% dead): the reach
        # counters, updated by trigger for each of 300,000 memberships, were left 800 live rows
        # among 56,000 dead ones, and every JOIN, YES and FORGET ME read them all (14 ms a
        # trigger, 0.7 ms vacuumed). The bench server runs with autovacuum off.
        dead = conn.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE n_dead_tup > 50 + 0.2 * n_live_tup"
        ).fetchall()
        for (table,) in dead:
            conn.execute(f'VACUUM (ANALYZE) "{table}"')
        conn.execute("ANALYZE")
    return env


def _check_key(url: str, key: str, old: str) -> None:
    """Fail now if the generated people cannot be found under the keys (filled under another)."""
    from service.crypto import Vault

    indexes = list(Vault(key, old_keys=(old,)).blind_indexes(scale_data.number_of(0)))
    with psycopg.connect(libpq(url)) as conn:
        found = conn.execute(
            "SELECT 1 FROM contact WHERE phone_index = ANY(%s)", (indexes,)
        ).fetchone()
    if found is None:
        raise SystemExit(f"{url}: generated people are not under {key}: drop it and run again")


@dataclass
class Row:
    """One line of the table: the figure at scale, at demo size, and its target."""

    name: str
    value: float
    baseline: float
    unit: str
    target: str
    met: bool | None

    @property
    def ratio(self) -> float:
        """value / baseline."""
        return self.value / self.baseline if self.baseline else float("nan")


def timed(action: Callable[[], object]) -> float:
    """Milliseconds the action took."""
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def members(scale: float) -> list[str]:
    """Numbers of generated people in the demo council (the first ORG_SHARES[0] of them)."""
    plan = scale_data.Plan.at(scale)
    largest = int(plan.contacts * scale_data.ORG_SHARES[0])
    step = max(1, largest // WEBHOOK_MEMBERS)
    return [scale_data.number_of(i) for i in range(0, largest, step)][:WEBHOOK_MEMBERS]


def measure(
    name: str, scale: float, env: dict[str, str], run: int, webhook: dict[str, float]
) -> dict[str, float]:
    """Every figure for one database (the webhook rates and p99s measured already)."""
    figures = dict(webhook)
    texts = sms_webhook.Texts()
    # MessageSids unique to this run: a sid seen in an earlier run would be answered as a retry.
    texts.serial = run * 10**7
    readers = members(scale)
    # The pace of the idle p99 row: half the wrk maximum. The bulk rows' idle rounds are their
    # own, taken in turn with the work (bench/during_bulk.py).
    pace = webhook["events rate"] / 2
    url = libpq(env["FRONTLINE_DATABASE_URL"])
    with gunicorn("service:create_app()", env) as port:
        figures.update(console_figures(env, scale, run))
        broadcast_id = int(figures.pop("broadcast id"))
        fan_out = during_bulk.run_trial(
            [sys.executable, str(ROOT / "bench" / "scale.py"), "--fan-out", str(broadcast_id)],
            env,
            port=port,
            texts=texts,
            readers=readers,
            pace=pace,
            window=WINDOW,
            url=url,
            database=name,
            ready="started",
        )
        figures.update(_during("fan-out", fan_out, pace))
        figures["fan-out rows"] = float(
            count(env, f"SELECT count(*) FROM outbound_message WHERE broadcast_id = {broadcast_id}")
        )
        # Send counts nobody: the worker counts the audience as it starts.
        figures["audience"] = float(
            count(env, f"SELECT recipients FROM broadcast WHERE id = {broadcast_id}")
        )
        clear_broadcast(env, broadcast_id)
        expired = "SELECT count(*) FROM inbound_message WHERE message_sid LIKE 'SMbench%'"
        before = count(env, expired)
        purge = during_bulk.run_trial(
            [FRONTLINE, "purge"],
            env,
            port=port,
            texts=texts,
            readers=readers,
            pace=pace,
            window=LONG_WINDOW,
            url=url,
            database=name,
        )
        figures.update(_during("purge", purge, pace))
        figures["purge inbound rows"] = float(before - count(env, expired))
        figures["purge expired at start"] = float(before)
    return figures


def _during(work: str, trial: during_bulk.Trial, pace: float) -> dict[str, float]:
    """A bulk job's figures: its seconds running, whether it finished, the p99s beside it."""
    print(
        f"{work}: {trial.seconds:.1f} s running ({'finished' if trial.finished else 'stopped'},"
        f" its process {trial.cpu:.1f} CPU s);"
        f" EVENTS p99 at {pace:.0f}/s idle {' '.join(f'{p:.0f}' for p in trial.idle)} ms,"
        f" during {' '.join(f'{p:.0f}' for p in trial.during)} ms: ratio {trial.ratio:.2f}",
        flush=True,
    )
    return {
        f"{work} seconds": trial.seconds,
        f"{work} finished": float(trial.finished),
        # None measured (done before the first round): NaN, which meets no target.
        f"events p99 during {work}": (
            statistics.median(trial.during) if trial.during else float("nan")
        ),
        f"events p99 idle beside {work}": statistics.median(trial.idle),
        f"events p99 pace beside {work}": pace,
    }


def webhook_figures(
    envs: dict[str, dict[str, str]], scales: dict[str, float], run: int
) -> dict[str, dict[str, float]]:
    """EVENTS and JOIN+YES: each database's wrk maximum, then p99 at half rate, interleaved."""
    texts = sms_webhook.Texts()
    # After the sids measure() takes from run * 10**7, so none is answered as a retry.
    texts.serial = run * 10**7 + 5 * 10**6
    joiners = [
        f"+447406{run % 100:02d}{n:04d}"
        for n in range(WRK_JOINERS + sms_webhook.GAP + ROUNDS * ROUND_TEXTS // 2)
    ]
    figures: dict[str, dict[str, float]] = {name: {} for name in envs}
    with ExitStack() as stack:
        ports = {
            name: stack.enter_context(gunicorn("service:create_app()", env))
            for name, env in envs.items()
        }
        readers = {name: members(scales[name]) for name in envs}
        for name, port in ports.items():
            # Every joiner texts once first, so JOIN is a returning member's, as for readers.
            wrk_driver.run(port, [texts(n, "HELP") for n in joiners], 1800, once=True)
            events = wrk_driver.run(
                port, sms_webhook.reading(texts, readers[name], "EVENTS", 20000), 5
            )
            join = wrk_driver.run(port, sms_webhook.joining(texts, joiners[:WRK_JOINERS]), 5)
            figures[name]["events rate"] = events.rate
            figures[name]["join rate"] = join.rate
        # One pace for both, half the slower one's maximum: the same offered load on each side.
        for kind in ("events", "join"):
            pace = min(f[f"{kind} rate"] for f in figures.values()) / 2
            rounds: dict[str, list[float]] = {name: [] for name in envs}
            order = list(envs)
            for index in range(ROUNDS):
                for name in order:
                    rounds[name].append(
                        _round_p99(
                            ports[name],
                            texts,
                            kind,
                            pace,
                            index,
                            readers[name],
                            joiners[WRK_JOINERS + sms_webhook.GAP :],
                        )
                    )
                order.reverse()
            for name, p99s in rounds.items():
                figures[name][f"{kind} p99"] = statistics.median(p99s)
                figures[name][f"{kind} p99 lowest round"] = min(p99s)
                figures[name][f"{kind} p99 highest round"] = max(p99s)
                figures[name][f"{kind} p99 texts"] = float(ROUNDS * ROUND_TEXTS)
                figures[name][f"{kind} pace"] = pace
                print(
                    f"{name}: {kind} p99 at {pace:.0f}/s, {ROUNDS} rounds of {ROUND_TEXTS} "
                    f"texts (ms): {' '.join(f'{p:.0f}' for p in p99s)}; median "
                    f"{statistics.median(p99s):.1f}",
                    flush=True,
                )
            # Rounds next to each other in time share the machine's load: their ratio is steadier.
            (a_name, first), (b_name, second) = rounds.items()
            paired = [b / a for a, b in zip(first, second, strict=True) if a]
            print(
                f"{kind}: p99 ratio round by round ({b_name} / {a_name}): "
                f"{' '.join(f'{r:.2f}' for r in paired)}",
                flush=True,
            )
    return figures


def _round_p99(
    port: int,
    texts: sms_webhook.Texts,
    kind: str,
    pace: float,
    index: int,
    readers: list[str],
    joiners: list[str],
) -> float:
    """p99 of one round of ROUND_TEXTS texts sent on schedule at pace a second."""
    if kind == "events":
        paced = sms_webhook.reading(texts, readers, "EVENTS", ROUND_TEXTS)
    else:
        # Fresh joiners each round, each JOIN before its YES: the JOINs first, then the YESes.
        half = ROUND_TEXTS // 2
        chosen = joiners[index * half : (index + 1) * half]
        paced = [texts(n, "JOIN MINDS") for n in chosen] + [texts(n, "YES") for n in chosen]
    steady = open_loop(port, paced, pace)
    assert steady.errors == 0, f"{kind}: {steady.errors} errors at half rate"
    return steady.percentile(99)


def count(env: dict[str, str], query: str) -> int:
    """One number from the database."""
    with psycopg.connect(libpq(env["FRONTLINE_DATABASE_URL"])) as conn:
        return int(conn.execute(query).fetchone()[0])


class Windowed:
    """A command given `window` seconds (from when it says `ready`, if given) to finish."""

    def __init__(
        self, command: list[str], env: dict[str, str], *, window: float, ready: str = ""
    ) -> None:
        self.window = window
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        if ready:
            while (line := self.process.stdout.readline()) and ready not in line:
                self.lines.append(line)
        self.started = time.perf_counter()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    def wait(self) -> tuple[float, float]:
        """(seconds it ran, 1.0 if it finished else 0.0); stopped at the window's end."""
        try:
            self.process.wait(max(0.0, self.window - (time.perf_counter() - self.started)))
            finished = self.process.returncode == 0
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            finished = False
        seconds = time.perf_counter() - self.started
        self.reader.join(5)
        if not finished and self.process.returncode not in (-signal.SIGKILL,):
            raise RuntimeError(f"{self.process.args} failed:\n{''.join(self.lines)[-2000:]}")
        return seconds, 1.0 if finished else 0.0


def console_figures(env: dict[str, str], scale: float, run: int) -> dict[str, float]:
    """Preview, Send, reach page and CSVs, subject-access export and FORGET ME, in the app."""
    from bench.scale_console import measure_console

    return measure_console(env, scale, run)


def clear_broadcast(env: dict[str, str], broadcast_id: int) -> None:
    """Cancel the measured broadcast and drop its rows, so no run sends them or finds them."""
    with psycopg.connect(libpq(env["FRONTLINE_DATABASE_URL"])) as conn:
        conn.execute("DELETE FROM outbound_message WHERE broadcast_id = %s", (broadcast_id,))
        conn.execute("UPDATE broadcast SET status = 'cancelled' WHERE id = %s", (broadcast_id,))


def rotation(name: str, env: dict[str, str]) -> dict[str, float]:
    """rotate-data-key to the other key: killed after ROTATE_FIRST_RUN_SECONDS, then run again
    (for up to LONG_WINDOW seconds); its rate is rows re-encrypted over both runs' time."""
    url = env["FRONTLINE_DATABASE_URL"]
    old = current_key(url)
    new = 1 - old
    rotate_env = {
        **env,
        "FRONTLINE_DATA_KEY": DATA_KEYS[new],
        "FRONTLINE_OLD_DATA_KEYS": DATA_KEYS[old],
    }
    command = [FRONTLINE, "rotate-data-key", "--batch-size", "2000"]
    contacts = count(env, "SELECT count(*) FROM contact")
    started = time.perf_counter()
    first = subprocess.Popen(
        command,
        cwd=ROOT,
        env=rotate_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        first.wait(ROTATE_FIRST_RUN_SECONDS)
        killed = 0.0
    except subprocess.TimeoutExpired:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        killed = 1.0
    after_kill = _contacts_under(url, DATA_KEYS[new], sample=2000)
    second = Windowed(command, rotate_env, window=LONG_WINDOW)
    seconds_second, finished = second.wait()
    seconds = time.perf_counter() - started
    output = "".join(second.lines)
    if finished:
        set_key(url, new)
    at_end = _contacts_under(url, DATA_KEYS[new], sample=2000)
    print(
        f"{name}: rotate-data-key killed after {ROTATE_FIRST_RUN_SECONDS} s: {bool(killed)}; "
        f"share of a sample already under the new key then: {after_kill:.0%}; second run "
        f"{'finished' if finished else 'stopped at the window'} after {seconds_second:.0f} s"
    )
    # The second run says where each column carried on from: the kill was resumed, not redone.
    print("".join(line for line in second.lines if "resuming" in line), end="")
    print(output[-3000:])
    return {
        "rotate contacts/s": at_end * contacts / seconds,
        "rotate killed": killed,
        "rotate share after kill": after_kill,
        "rotate share at end": at_end,
        "rotate finished": finished,
        "rotate contacts": float(contacts),
        "rotate seconds": seconds,
    }


def _contacts_under(url: str, key: str, sample: int) -> float:
    """The share of a sample of contacts whose number decrypts under key alone."""
    from service.crypto import DecryptionError, Vault

    vault = Vault(key)
    with psycopg.connect(libpq(url)) as conn:
        tokens = [
            r[0]
            for r in conn.execute(
                "SELECT phone_encrypted FROM contact ORDER BY random() LIMIT %s", (sample,)
            )
        ]
    readable = 0
    for token in tokens:
        try:
            vault.decrypt(token)
            readable += 1
        except DecryptionError:
            pass
    return readable / len(tokens) if tokens else 0.0


def table(scale: dict[str, float], demo: dict[str, float]) -> list[Row]:
    """The figures as rows, each beside demo size, with the issue's targets."""

    def ratio_row(key: str, label: str, unit: str, most: float) -> Row:
        value, base = scale[key], demo[key]
        return Row(label, value, base, unit, f"ratio <= {most}", value <= base * most)

    def limit_row(key: str, label: str, unit: str, most: float | None) -> Row:
        value = scale[key]
        met = None if most is None else value <= most
        return Row(label, value, demo[key], unit, f"value <= {most:g} {unit}" if most else "-", met)

    def during_row(work: str, label: str) -> Row:
        # Beside idle rounds taken in turn with the work's, at the same pace (half max rate).
        value, idle = scale[f"events p99 during {work}"], scale[f"events p99 idle beside {work}"]
        return Row(label + " (baseline: idle)", value, idle, "ms", "ratio <= 2", value <= 2 * idle)

    def rate(prefix: str, rows: str) -> float:
        return scale[rows] / scale[f"{prefix} seconds"] if scale[f"{prefix} seconds"] else 0.0

    def demo_rate(prefix: str, rows: str) -> float:
        return demo[rows] / demo[f"{prefix} seconds"] if demo[f"{prefix} seconds"] else 0.0

    fanned = scale["fan-out rows"] == scale["audience"] and bool(scale["fan-out finished"])
    return [
        ratio_row("events p99", "EVENTS p99 at half max rate", "ms", 1.25),
        ratio_row("join p99", "JOIN+YES p99 at half max rate", "ms", 1.25),
        Row("EVENTS max rate (wrk)", scale["events rate"], demo["events rate"], "r/s", "-", None),
        Row("JOIN+YES max rate (wrk)", scale["join rate"], demo["join rate"], "r/s", "-", None),
        limit_row("preview ms", "broadcast preview, whole largest org", "ms", 1000),
        limit_row("send ms", "Send answers (whole largest org)", "ms", 1000),
        Row("audience (people)", scale["audience"], demo["audience"], "", "-", None),
        Row(
            "fan-out: rows in the outbox at the end",
            scale["fan-out rows"],
            demo["fan-out rows"],
            "",
            "= audience",
            fanned,
        ),
        limit_row("fan-out seconds", "fan-out seconds (stopped at the window)", "s", 60),
        Row(
            "fan-out rows/s",
            rate("fan-out", "fan-out rows"),
            demo_rate("fan-out", "fan-out rows"),
            "r/s",
            f">= {scale['audience'] / 60:.0f} (60 s)",
            rate("fan-out", "fan-out rows") * 60 >= scale["audience"],
        ),
        during_row("fan-out", "EVENTS p99 during fan-out"),
        limit_row("reach ms", "reach dashboard (24 months), largest org", "ms", 1000),
        limit_row("reach csv ms", "reach CSV, largest org", "ms", 1000),
        limit_row("people csv ms", "people-reached CSV, largest org", "ms", 1000),
        limit_row("forget ms", "FORGET ME: the erasing YES", "ms", 100),
        limit_row("export ms", "subject-access export (JSON)", "ms", 1000),
        Row(
            "purge: expired inbound rows deleted",
            scale["purge inbound rows"],
            demo["purge inbound rows"],
            "",
            f"= {scale['purge expired at start']:.0f}",
            scale["purge inbound rows"] == scale["purge expired at start"],
        ),
        Row(
            "purge rows/s (inbound)",
            rate("purge", "purge inbound rows"),
            demo_rate("purge", "purge inbound rows"),
            "r/s",
            "-",
            None,
        ),
        during_row("purge", "EVENTS p99 during purge"),
    ]


def rotation_table(scale: dict[str, float], demo: dict[str, float]) -> list[Row]:
    """rotate-data-key: its rate, and that a killed run was resumed."""
    return [
        Row(
            "rotate-data-key contacts/s (both runs, with start-up)",
            scale["rotate contacts/s"],
            demo["rotate contacts/s"],
            "r/s",
            "-",
            None,
        ),
        Row(
            "share of contacts moved when the first run was killed",
            scale["rotate share after kill"],
            demo["rotate share after kill"],
            "",
            "-",
            None,
        ),
        Row(
            "share moved at the end (second run: resumed)",
            scale["rotate share at end"],
            demo["rotate share at end"],
            "",
            "1 = all",
            scale["rotate share at end"] == 1.0,
        ),
    ]


def print_table(rows: list[Row]) -> None:
    """The table: value, baseline, ratio, target, met."""
    print(f"{'figure':58} {'value':>12} {'baseline':>12} {'ratio':>7}  {'target':22} met")
    for r in rows:
        met = "-" if r.met is None else ("yes" if r.met else "NO")
        print(
            f"{r.name:58} {r.value:>12.1f} {r.baseline:>12.1f} {r.ratio:>7.2f}  {r.target:22} {met}"
        )


def fan_out_here(broadcast_id: int) -> None:
    """Run one broadcast's fan-out as a worker runs it; print the rows it holds at the end."""
    from sqlalchemy import func, select

    from service import create_app, tasks
    from service.db import get_database
    from service.outbox.models import OutboundMessage

    app = create_app()
    tasks.use_app(app)
    print("started", flush=True)
    tasks.fan_out_broadcast.call_local(broadcast_id)
    with get_database(app).session() as session:
        print(
            session.scalar(
                select(func.count())
                .select_from(OutboundMessage)
                .where(OutboundMessage.broadcast_id == broadcast_id)
            )
        )


def webhook_table(scale: dict[str, float], demo: dict[str, float]) -> list[Row]:
    """The two p99 rows at half rate, and each side's lowest and highest round beside them."""
    rows = [
        Row(
            label,
            scale[f"{kind} p99"],
            demo[f"{kind} p99"],
            "ms",
            "ratio <= 1.25",
            scale[f"{kind} p99"] <= demo[f"{kind} p99"] * 1.25,
        )
        for kind, label in (
            ("events", "EVENTS p99 at half max rate"),
            ("join", "JOIN+YES p99 at half max rate"),
        )
    ]
    for kind, label in (("events", "EVENTS"), ("join", "JOIN+YES")):
        for end in ("lowest", "highest"):
            key = f"{kind} p99 {end} round"
            rows.append(Row(f"  {label} p99, {end} round", scale[key], demo[key], "ms", "-", None))
    return rows


def main() -> None:
    """Prepare both databases, measure both, print the table; then rotate the keys.

    `--webhooks`: only EVENTS and JOIN+YES (rates, and p99 at half rate interleaved).
    """
    if not wrk_driver.available():
        raise SystemExit("wrk is not installed: make test-tools installs it")
    only_webhooks = sys.argv[1:2] == ["--webhooks"]
    scale = float(os.environ.get("BENCH_SCALE", "1"))
    large = os.environ.get("BENCH_SCALE_DB", "bench_scale")
    demo = os.environ.get("BENCH_SCALE_DEMO_DB", "bench_scale_demo")
    run = int(time.time())
    sizes = {demo: DEMO_SCALE, large: scale}
    envs = {name: prepare(name, size) for name, size in sizes.items()}
    print(f"== {demo} and {large}: EVENTS and JOIN+YES, interleaved", flush=True)
    results = webhook_figures(envs, sizes, run)
    title = f"bench-scale at scale {scale} (baseline: the same on demo size, {DEMO_SCALE})"
    if only_webhooks:
        print(f"\n== {title}: webhooks only")
        print_table(webhook_table(results[large], results[demo]))
        return
    for name, size in sizes.items():
        print(f"== {name}: measuring", flush=True)
        results[name] = measure(name, size, envs[name], run, results[name])
        RESULTS.write_text(json.dumps({"scale": scale, **results}, indent=2) + "\n")
    print(f"\n== {title}")
    print_table(
        webhook_table(results[large], results[demo]) + table(results[large], results[demo])[2:]
    )
    for name in envs:
        results[name].update(rotation(name, envs[name]))
        RESULTS.write_text(json.dumps({"scale": scale, **results}, indent=2) + "\n")
    print(f"\n== {title}: rotate-data-key")
    print_table(rotation_table(results[large], results[demo]))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--fan-out"]:
        fan_out_here(int(sys.argv[2]))
    else:
        main()
