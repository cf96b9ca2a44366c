"""cProfile and CPU time of the webhook hot paths in-process.

Runs the real Flask app on a fresh SQLite demo database through the test client (signed
webhooks, a fresh session per request as in production) and prints, for each path, the CPU
milliseconds a request takes without the profiler (median of several rounds: on a shared
machine CPU time, unlike wall time, is not stretched by other processes) and the top functions
by own and by cumulative time under cProfile. Not a benchmark table: a guide to where a
request's time goes, and an A/B measure for a change.

    python bench/profile_hot_paths.py [events|networks|talk|join|first|voice ...]
        [--top N] [--no-profile] [--postgres] [--rounds N] [--per-round N]

--postgres: on PostgreSQL instead, in sms_webhook.py's database (BENCH_WEBHOOK_DATABASE names
it; dropped and made again). CPU time is then this process's alone, not the server's.

"join" is one JOIN MINDS and its YES (two requests, counted as one pair). --rounds and
--per-round (5 and 150) set how many timed rounds each path runs and how many requests a round.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import VENV_BIN
from bench.sms_webhook import PUBLIC_URL, Texts, postgres_url, service_env
from bench.voice_webhook import call_form, signed

PER_ROUND = 150
ROUNDS = 5
PATHS = ("events", "networks", "talk", "join", "first", "voice")


def _post(client, request) -> str:
    path, headers, form = request
    response = client.post(path, data=form, headers=headers, base_url=PUBLIC_URL)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


# Who sends: each its own block of a million numbers, 07 40b nnnnnn (every such number is a
# valid UK mobile; 07700 900xxx, the drama range, is not). A round takes the next `count` of
# its block, so JOIN and first texts are new numbers in every round, however many there are.
# (The round was a digit of a fixed-width number: from round 10 it made eleven digits after
# the 44, one too many, and those rounds' texts were answered 400.)
MEMBERS, CALLERS, JOINERS, FIRST_TEXTS = 9, 8, 1, 2
_BLOCK = 10**6


def _numbers(block: int, count: int, round_: int = 0) -> list[str]:
    """The round's `count` numbers of a block: E.164, distinct from every other round's."""
    first = round_ * count
    if first + count > _BLOCK:
        raise ValueError(f"{round_ + 1} rounds of {count} numbers: more than a block holds")
    return [f"+44740{block}{first + n:06d}" for n in range(count)]


def workloads(client, per_round: int = PER_ROUND) -> dict[str, Callable[[int], Callable[[], None]]]:
    """For each path: given a round, the function that sends that round's per_round requests."""
    texts = Texts()
    members = _numbers(MEMBERS, per_round)
    for n in members:
        _post(client, texts(n, "HELP"))

    def reading(body: str) -> Callable[[int], Callable[[], None]]:
        def round_of(round_: int) -> Callable[[], None]:
            batch = [texts(n, body) for n in members]
            return lambda: [_post(client, r) for r in batch] and None

        return round_of

    def join(round_: int) -> Callable[[], None]:
        joiners = _numbers(JOINERS, per_round, round_)
        for n in joiners:
            _post(client, texts(n, "HELP"))
        batch = [(texts(n, "JOIN MINDS"), texts(n, "YES")) for n in joiners]

        def run() -> None:
            for ask, yes in batch:
                _post(client, ask)
                _post(client, yes)

        return run

    def first(round_: int) -> Callable[[], None]:
        batch = [texts(n, "HELP") for n in _numbers(FIRST_TEXTS, per_round, round_)]
        return lambda: [_post(client, r) for r in batch] and None

    callers = _numbers(CALLERS, per_round)
    actions = []
    for caller in callers:
        xml = _post(client, signed("/twilio/voice", call_form(caller, "CA" + caller[1:])))
        for _ in range(1):  # choose English: the main menu
            url = ET.fromstring(xml).find("Gather").get("action")
            parts = urlsplit(url)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            xml = _post(client, signed(path, call_form(caller, "CA" + caller[1:], Digits="1")))
        url = ET.fromstring(xml).find("Gather").get("action")
        parts = urlsplit(url)
        actions.append((caller, parts.path + (f"?{parts.query}" if parts.query else "")))

    def voice(round_: int) -> Callable[[], None]:
        batch = [
            signed(path, call_form(c, f"CA{round_}{c[1:]}", Digits="1")) for c, path in actions
        ]
        return lambda: [_post(client, r) for r in batch] and None

    return {
        "events": reading("EVENTS"),
        "networks": reading("NETWORKS"),
        "talk": reading("TALK"),
        "join": join,
        "first": first,
        "voice": voice,
    }


def by_package(profile: cProfile.Profile) -> list[tuple[str, float]]:
    """Own time summed per top-level package (service modules one level deeper)."""
    totals: dict[str, float] = {}
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    for (filename, _line, function), (_cc, _nc, own, _cum, _callers) in stats.items():
        parts = Path(filename).parts
        if "site-packages" in parts:
            name = parts[parts.index("site-packages") + 1]
        elif "service" in parts:
            name = ".".join(parts[parts.index("service") :])[: -len(".py")]
            name = ".".join(name.split(".")[:3])
        elif filename == "~":
            name = "builtins: " + function.split(" of ")[-1].strip("<>'")[:24]
        else:
            name = "stdlib " + Path(filename).stem
        totals[name] = totals.get(name, 0.0) + own
    whole = sum(totals.values()) or 1.0
    return sorted(((n, t / whole) for n, t in totals.items()), key=lambda x: -x[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="*", default=list(PATHS))
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--per-round", type=int, default=PER_ROUND)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as instance:
        env = service_env(instance)
        if args.postgres:
            url = postgres_url()
            if url is None:
                sys.exit("no PostgreSQL server answers")
            env["FRONTLINE_DATABASE_URL"] = url
        env["FRONTLINE_SMS_RATE_LIMIT"] = "100000"
        frontline = str(VENV_BIN / "frontline")
        subprocess.run([frontline, "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run([frontline, "demo"], env=env, check=True, capture_output=True)
        os.environ.update(env)
        from service import create_app

        app = create_app()
        client = app.test_client()
        work = workloads(client, args.per_round)
        cpu: dict[str, float] = {}
        profiles: dict[str, cProfile.Profile] = {}
        for path in args.paths:
            work[path](0)()  # warm: the first of a kind loads what later ones reuse
            rounds = []
            for round_ in range(1, args.rounds + 1):
                run = work[path](round_)
                started = time.process_time()
                run()
                rounds.append((time.process_time() - started) * 1000 / args.per_round)
            cpu[path] = statistics.median(rounds)
            if not args.no_profile:
                run = work[path](args.rounds + 1)
                profiles[path] = cProfile.Profile()
                profiles[path].enable()
                run()
                profiles[path].disable()
    for path, profile in profiles.items():
        print(f"== {path}: own time by package (share of the profiled total)")
        for name, share in by_package(profile)[: args.top]:
            print(f"  {name:32} {share:6.1%}")
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            stats = pstats.Stats(profile, stream=out).strip_dirs().sort_stats(order)
            stats.print_stats(args.top)
            text = out.getvalue()
            print(f"== {path}: top {args.top} by {order}")
            print(text[text.index("ncalls") :] if "ncalls" in text else text)
    print("CPU ms per request (median of rounds; join: a JOIN and its YES together)")
    for path, ms in cpu.items():
        print(f"  {path:8} {ms:6.2f}")


if __name__ == "__main__":
    main()
