"""SMS webhook under gunicorn (2 workers): reads, JOIN + YES and first texts against echo.

The baseline is a minimal Flask app that checks the signature and answers with TwiML, served
by the same gunicorn settings and driven by the same wrk driver. It is measured again
immediately before and after every row (each row's ratio is against the mean of the two, and
both are printed), because on a shared machine the load moves between rows. Figures: maximum
rate under wrk, and p99 latency at half that rate beside the echo app's p99 at the same rate.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from twilio.request_validator import RequestValidator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import wrk_driver
from bench.common import (
    VENV_BIN,
    Figure,
    Request,
    bracketed,
    closed_loop,
    gunicorn,
    open_loop,
    own_postgres_database,
    record,
)
from bench.cpu import cpu_during

PUBLIC_URL = "http://bench.invalid"
TOKEN = "bench-auth-token"
DEMO_NUMBER = "+441134960000"
CONCURRENCY = 8
HALF_RATE_SECONDS = 5
# The p99 rows are the median of this many windows, for the service and the echo app alike: a
# stall of the shared machine (on 6 December, 0.1-0.3 s in which requests waited outside every
# process's request handling) spoils one 5 s window's p99, and then the whole row's with one.
P99_WINDOWS = 3
WRK_SECONDS = 5
ONCE_LIMIT_SECONDS = 1800  # a run that sends each request once stops there, well before this
MEMBERS = 1000  # returning members: each reads several times a run, under distinct MessageSids
READS = 20000  # more than wrk sends in WRK_SECONDS at the echo app's rate on two cores
# Each joins MINDS once: JOIN at one place in the file, its YES GAP later. Enough that wrk need
# not repeat any in WRK_SECONDS (at 850 r/s 1,500 ran out: repeats are retries, answered from
# the stored row) and that some are left fresh for the p99 row.
JOINERS = 10000
GAP = 100
STRANGERS = 12000  # new numbers, one first text each
DRIVER_CHECK = 3000


# Each max-rate run's CPU a request, by process (bench/cpu.py), printed after the table. When
# both runs use the whole machine, the rate ratio is about the echo run's CPU a request over the
# service run's, each with its own load generator's: what the service must shed to reach a
# target.
cpu_lines: dict[str, str] = {}


def service_env(instance: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTLINE_")}
    env.update(
        FRONTLINE_INSTANCE_DIR=instance,
        FRONTLINE_ENV="development",
        FRONTLINE_PUBLIC_URL=PUBLIC_URL,
        FRONTLINE_TWILIO_AUTH_TOKEN=TOKEN,
        FRONTLINE_LOG_LEVEL="WARNING",
    )
    return env


class Texts:
    """Signed webhook requests with fresh MessageSids."""

    def __init__(self) -> None:
        self.validator = RequestValidator(TOKEN)
        self.serial = 0

    def __call__(self, sender: str, body: str) -> Request:
        self.serial += 1
        sid = f"SM{self.serial:032x}"
        form = {
            "MessageSid": sid,
            "AccountSid": "AC" + "0" * 32,
            "From": sender,
            "To": DEMO_NUMBER,
            "Body": body,
            "NumSegments": "1",
        }
        signature = self.validator.compute_signature(PUBLIC_URL + "/twilio/sms", form)
        return "/twilio/sms", {"X-Twilio-Signature": signature}, form


def measure(port: int, texts: Texts, numbers: list[str], kind: str) -> tuple[float, float]:
    """(maximum rate, p99 at half that rate) for EVENTS or JOIN + YES, with the Python driver."""

    def conversations(offset: int, count: int) -> list[list[Request]]:
        chosen = numbers[offset : offset + count]
        if kind == "events":
            return [[texts(n, "EVENTS")] for n in chosen]
        return [[texts(n, "JOIN MINDS"), texts(n, "YES")] for n in chosen]

    peak = closed_loop(port, conversations(0, 600), CONCURRENCY)
    assert peak.errors == 0, f"{kind}: {peak.errors} errors"
    return peak.rate, half_rate_p99(port, texts, numbers[600:], kind, peak.rate)


def half_rate_p99(
    port: int, texts: Texts, numbers: list[str], kind: str, rate: float, windows: int = 1
) -> float:
    """p99 latency with requests sent on a fixed schedule at half the given maximum rate.

    windows > 1: the median of that many windows' p99, each of HALF_RATE_SECONDS (a JOIN + YES
    window takes numbers of its own, after the window before it).
    """
    half = rate / 2
    per_window = int(half * HALF_RATE_SECONDS / (1 if kind == "events" else 2))
    figures = []
    for window in range(windows):
        chosen = numbers[:per_window] if kind == "events" else numbers[window * per_window :]
        chosen = chosen[:per_window]
        assert chosen, f"{kind}: no numbers left for window {window + 1}"
        if kind == "events":
            paced = [texts(n, "EVENTS") for n in chosen]
        else:
            # Each JOIN before its YES: the JOINs first, then the YESes.
            paced = [texts(n, "JOIN MINDS") for n in chosen]
            paced += [texts(n, "YES") for n in chosen]
        steady = open_loop(port, paced, half)
        assert steady.errors == 0, f"{kind}: {steady.errors} errors at half rate"
        figures.append(steady.percentile(99))
    return statistics.median(figures)


def reading(texts: Texts, numbers: list[str], body: str, count: int) -> list[Request]:
    """count texts of body from returning members, round the numbers, each its own MessageSid."""
    return [texts(numbers[i % len(numbers)], body) for i in range(count)]


def joining(texts: Texts, numbers: list[str]) -> list[Request]:
    """JOIN MINDS then YES per number, each YES well after its JOIN (wrk has 8 in flight)."""
    out: list[Request] = []
    for start in range(0, len(numbers), GAP):
        block = numbers[start : start + GAP]
        out += [texts(n, "JOIN MINDS") for n in block] + [texts(n, "YES") for n in block]
    return out


def run_wrk(
    port: int, requests: list[Request], what: str, *, once: bool = False
) -> wrk_driver.WrkResult:
    """wrk's run of the requests for WRK_SECONDS, or (once) until each has been sent once."""
    result = wrk_driver.run(port, requests, ONCE_LIMIT_SECONDS if once else WRK_SECONDS, once=once)
    if result.errors:
        raise AssertionError(f"{what}: {result.errors} errors under wrk")
    if result.wrapped:
        print(f"note: {what}: wrk ran out of distinct requests and repeated some")
    return result


def postgres_url() -> str | None:
    """This bench's own database on the PostgreSQL server the tests use, or None without one."""
    # BENCH_WEBHOOK_DATABASE lets two runs share one server without dropping each other's data.
    return own_postgres_database(
        os.environ.get("BENCH_WEBHOOK_DATABASE", "frontline_bench_webhooks")
    )


def service_figures(
    env: dict[str, str], echo_port: int, texts: Texts, members: list[str], database: str
) -> list[Figure]:
    """The service's rows on one database, each between two echo runs of the same kind."""
    targets = {"EVENTS": 0.5, "NETWORKS": 0.5, "TALK": 0.5, "JOIN+YES": 0.3, "first text": 0.3}
    # The SQLite rows keep their names (earlier results.json files compare with them).
    suffix = "" if database == "SQLite" else f" ({database})"
    joiners = [f"+4474008{n:05d}" for n in range(JOINERS)]
    strangers = [f"+4474007{n:05d}" for n in range(STRANGERS)]
    frontline = str(VENV_BIN / "frontline")
    subprocess.run([frontline, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([frontline, "demo"], env=env, check=True, capture_output=True)
    # Every request is signed before any timing starts, so nothing runs between a row and the
    # echo runs on either side of it. The echo app keeps no state: it may see a file again.
    service_requests = {
        body: reading(texts, members, body, READS) for body in ("EVENTS", "NETWORKS", "TALK")
    }
    service_requests["JOIN+YES"] = joining(texts, joiners)
    service_requests["first text"] = [texts(n, "HELP") for n in strangers]
    # The echo app gets texts of the same kind, enough that wrk need not repeat any.
    spare = [f"+4474006{n:05d}" for n in range(READS)]
    echo_requests = {
        body: reading(texts, members, body, READS) for body in ("EVENTS", "NETWORKS", "TALK")
    }
    echo_requests["JOIN+YES"] = joining(texts, spare[: READS // 2])
    echo_requests["first text"] = [texts(n, "HELP") for n in spare]
    figures: dict[str, wrk_driver.WrkResult] = {}
    rows: list[Figure] = []

    def echo_rate(name: str) -> float:
        with cpu_during() as (share, served):
            result = run_wrk(echo_port, echo_requests[name], f"echo beside {name} {database}")
            served.append(result.requests)
        cpu_lines[f"echo app{suffix}"] = share.line(f"echo app{suffix}")  # the latest
        return result.rate

    def service_rate(port: int, name: str) -> float:
        with cpu_during() as (share, served):
            figures[name] = run_wrk(port, service_requests[name], f"{name} {database}")
            served.append(figures[name].requests)
        cpu_lines[name + suffix] = share.line(name + suffix)
        return figures[name].rate

    def floor_rate(port: int, requests: list[Request]) -> float:
        with cpu_during() as (share, served):
            result = run_wrk(port, requests, f"floor {database}")
            served.append(result.requests)
        cpu_lines[f"floor{suffix}"] = share.line(f"floor{suffix}")
        return result.rate

    with gunicorn("service:create_app()", env) as port:
        # Every member and joiner texts once first, so the figures are for returning members.
        closed_loop(port, [[texts(n, "HELP")] for n in members + joiners], CONCURRENCY)
        for name, target in targets.items():
            rows.append(
                bracketed(
                    "sms_webhook",
                    f"{name} max rate (wrk){suffix}",
                    lambda name=name: service_rate(port, name),
                    lambda name=name: echo_rate(name),
                    "r/s",
                    target=f"ratio >= {target}",
                )
            )
        # p99 of the echo app at the very rate the service row is paced at, on either side.
        events_rate = figures["EVENTS"].rate
        rows.append(
            bracketed(
                "sms_webhook",
                f"EVENTS p99 at half max rate{suffix}",
                lambda: half_rate_p99(port, texts, members, "events", events_rate, P99_WINDOWS),
                lambda: half_rate_p99(
                    echo_port, texts, members, "events", events_rate, P99_WINDOWS
                ),
                "ms",
                higher_is_better=False,
                target="value <= 10 ms",
            )
        )
        # What the stack allows: the EVENTS text's statements alone, on the raw driver.
        floor_requests = reading(texts, members, "EVENTS", READS)
        with gunicorn("bench.floor_app:app", env) as floor_port:
            rows.append(
                bracketed(
                    "sms_webhook",
                    f"floor: EVENTS's statements on the driver (wrk){suffix}",
                    lambda: floor_rate(floor_port, floor_requests),
                    lambda: echo_rate("EVENTS"),
                    "r/s",
                    target="none: what the stack allows",
                )
            )
        used = min(len(joiners), int(figures["JOIN+YES"].requests / 2) + 1)
        # Joiners wrk did not reach (past a block's margin), so each JOIN is a real join.
        fresh = joiners[used + GAP :]
        join_rate = figures["JOIN+YES"].rate
        rows.append(
            bracketed(
                "sms_webhook",
                f"JOIN+YES p99 at half max rate{suffix}",
                lambda: half_rate_p99(port, texts, fresh, "join", join_rate, P99_WINDOWS),
                lambda: half_rate_p99(echo_port, texts, fresh, "join", join_rate, P99_WINDOWS),
                "ms",
                higher_is_better=False,
                target="value <= 10 ms",
            )
        )
    return rows


def main() -> None:
    if not wrk_driver.available():
        raise SystemExit("wrk is not installed: make test-tools installs it")
    rows: list[Figure] = []
    with tempfile.TemporaryDirectory() as instance:
        env = service_env(instance)
        # Repeated texts within a minute are the point of the load: the per-number limit (still
        # checked on every text) must not turn them into cheap "over the limit" answers.
        env["FRONTLINE_SMS_RATE_LIMIT"] = "100000"
        texts = Texts()
        members = [f"+4474009{n:05d}" for n in range(MEMBERS)]
        # The echo app serves for the whole run, beside the service's gunicorn, so it can be
        # measured again next to every row; idle, it takes no CPU from the service's runs.
        with gunicorn("bench.echo_app:app", env) as echo_port:
            checks = [[r] for r in reading(texts, members, "EVENTS", DRIVER_CHECK)]
            rows.append(
                bracketed(
                    "sms_webhook",
                    "driver: Python closed loop vs wrk on echo",
                    lambda: closed_loop(echo_port, checks, CONCURRENCY).rate,
                    lambda: (
                        run_wrk(echo_port, reading(texts, members, "EVENTS", READS), "echo").rate
                    ),
                    "r/s",
                    target="ratio >= 0.9 (else wrk drives)",
                )
            )
            databases = [("SQLite", env)]
            pg = postgres_url()
            if pg is not None:
                databases.append(("PostgreSQL", {**env, "FRONTLINE_DATABASE_URL": pg}))
            for database, database_env in databases:
                rows += service_figures(database_env, echo_port, texts, members, database)
        if pg is not None:
            from bench.cluster import drop_database

            drop_database(pg)
    record(rows)
    for line in cpu_lines.values():
        print(f"sms_webhook: {line}")


if __name__ == "__main__":
    main()
