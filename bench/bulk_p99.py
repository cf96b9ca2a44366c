"""EVENTS p99 while bulk work runs (a broadcast's fan-out, or the retention purge), beside idle.

`python bench/bulk_p99.py fan-out|purge [--trials N] [--interleaved]` on bench_scale (made by
`make bench-scale` or bench/scale_data.py), by bench/during_bulk.py's method, as `make bench-scale`
measures it: rounds of EVENTS at one pace (BENCH_PACE) before, during and after the bulk work
(with --interleaved, idle rounds between during rounds, the work stopped for each).
Several trials, and what the server did meanwhile: pg_stat_activity is sampled (what the
webhook backends and the bulk backend wait on), and pg_stat_wal, pg_stat_bgwriter and
/proc/stat are read before and after (WAL written, checkpoints, CPU busy and iowait).
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import click
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import scale, sms_webhook
from bench.common import ROOT, gunicorn
from bench.during_bulk import BULK_APP, round_p99, run_trial

PACE = float(os.environ.get("BENCH_PACE", "200"))
WINDOW = float(os.environ.get("BENCH_WINDOW", "120"))
PURGE_SECONDS = float(os.environ.get("BENCH_PURGE_SECONDS", "25"))


def cpu_times() -> tuple[int, int, int]:
    """(busy, iowait, total) jiffies of the whole machine."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle, iowait = fields[3], fields[4]
    total = sum(fields[:8])
    return total - idle - iowait, iowait, total


class Sampler(threading.Thread):
    """What the database's backends wait on, every 50 ms, split into web and bulk."""

    def __init__(self, url: str, database: str) -> None:
        super().__init__(daemon=True)
        self.url, self.database = url, database
        self.phase = "during"
        self.seen: dict[tuple[str, str], Counter[str]] = {}
        self.samples: Counter[str] = Counter()
        self.stopping = threading.Event()

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stopping.wait(0.05):
                rows = conn.execute(
                    "SELECT application_name, coalesce(wait_event_type || ':' || wait_event,"
                    " 'CPU') FROM pg_stat_activity WHERE datname = %s AND state = 'active'"
                    " AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
                    (self.database,),
                ).fetchall()
                phase = self.phase
                self.samples[phase] += 1
                for app, wait in rows:
                    key = (phase, "bulk" if app == BULK_APP else "web")
                    self.seen.setdefault(key, Counter())[wait] += 1

    def set_phase(self, phase: str) -> None:
        self.phase = phase

    def stop(self) -> None:
        self.stopping.set()
        self.join()


def server_counters(url: str) -> dict[str, float]:
    """WAL bytes, WAL writes and syncs, checkpoints, buffers written by backends."""
    with psycopg.connect(url) as conn:
        wal = conn.execute(
            "SELECT wal_bytes, wal_write, wal_sync, wal_buffers_full FROM pg_stat_wal"
        ).fetchone()
        bg = conn.execute(
            "SELECT checkpoints_timed + checkpoints_req, buffers_checkpoint, buffers_clean,"
            " buffers_backend, buffers_backend_fsync FROM pg_stat_bgwriter"
        ).fetchone()
    names = ["wal_bytes", "wal_write", "wal_sync", "wal_buffers_full", "checkpoints"]
    names += ["buffers_checkpoint", "buffers_clean", "buffers_backend", "buffers_backend_fsync"]
    return dict(zip(names, [float(v) for v in (*wal, *bg)], strict=True))


def reset_broadcast(url: str, broadcast_id: int | None) -> int:
    """A whole-organisation broadcast ready to fan out from the start (made on first use)."""
    with psycopg.connect(url, autocommit=True) as conn:
        if broadcast_id is None:
            found = conn.execute(
                "SELECT id FROM broadcast WHERE body = 'bench bulk_p99 fan-out' LIMIT 1"
            ).fetchone()
            if found is None:
                org = conn.execute("SELECT id FROM organisation ORDER BY id LIMIT 1").fetchone()[0]
                found = conn.execute(
                    "INSERT INTO broadcast (organisation_id, body, audience, urgent, status,"
                    " recipients, created_at, fanned_out) VALUES (%s, 'bench bulk_p99 fan-out',"
                    " 'organisation', true, 'cancelled', 0, now(), 0) RETURNING id",
                    (org,),
                ).fetchone()
            broadcast_id = int(found[0])
        conn.execute("DELETE FROM outbound_message WHERE broadcast_id = %s", (broadcast_id,))
        conn.execute("VACUUM outbound_message")
        conn.execute(
            "UPDATE broadcast SET status = 'sending', sent_at = now(), fan_out_after = 0,"
            " fanned_out = 0, fanned_out_at = NULL, recipients = 0 WHERE id = %s",
            (broadcast_id,),
        )
        # Each trial starts from a fresh checkpoint, so each pays the same full-page writes.
        conn.execute("CHECKPOINT")
    return broadcast_id


def count(url: str, query: str) -> int:
    with psycopg.connect(url) as conn:
        return int(conn.execute(query).fetchone()[0])


@click.command()
@click.argument("what", type=click.Choice(["fan-out", "purge"]))
@click.option("--trials", default=3)
@click.option("--database", default="bench_scale")
@click.option("--interleaved", is_flag=True, help="Idle rounds with the work stopped, in turn.")
def main(what: str, trials: int, database: str, interleaved: bool) -> None:
    """Trials of idle / during / idle EVENTS rounds around one bulk job each."""
    url = scale.libpq(scale.PG + database)
    env = scale.environment(database, scale.current_key(scale.PG + database))
    bulk_env = dict(env)
    # BULK_FRONTLINE_X=v sets FRONTLINE_X=v for the bulk process alone (its settings to try).
    bulk_env.update({k[5:]: v for k, v in os.environ.items() if k.startswith("BULK_FRONTLINE_")})
    texts = sms_webhook.Texts()
    texts.serial = int(time.time()) * 10**7 + 7 * 10**6
    readers = scale.members(1.0)
    broadcast_id = None
    expired = "SELECT count(*) FROM inbound_message WHERE message_sid LIKE 'SMbench%'"
    with gunicorn("service:create_app()", env) as port:
        round_p99(port, texts, readers, PACE)  # warm the workers and their caches
        for number in range(trials):
            if what == "fan-out":
                broadcast_id = reset_broadcast(url, broadcast_id)
                command = [sys.executable, str(ROOT / "bench" / "scale.py"), "--fan-out"]
                command.append(str(broadcast_id))
                before_rows = 0
            else:
                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute("CHECKPOINT")
                command = [str(scale.VENV_BIN / "frontline"), "purge"]
                before_rows = count(url, expired)
            counters, cpu, load = server_counters(url), cpu_times(), os.getloadavg()[0]
            sampler = Sampler(url, database)
            sampler.start()
            trial = run_trial(
                command,
                bulk_env,
                port=port,
                texts=texts,
                readers=readers,
                pace=PACE,
                window=WINDOW if what == "fan-out" else PURGE_SECONDS,
                url=url,
                database=database,
                on_phase=sampler.set_phase,
                ready="started" if what == "fan-out" else "",
                interleaved=interleaved,
            )
            seconds, idle, during = trial.seconds, trial.idle, trial.during
            sampler.stop()
            busy, iowait, total = (b - a for a, b in zip(cpu, cpu_times(), strict=True))
            after = server_counters(url)
            load_end = os.getloadavg()[0]
            if what == "fan-out":
                rows = count(
                    url,
                    f"SELECT count(*) FROM outbound_message WHERE broadcast_id = {broadcast_id}",
                )
            else:
                rows = before_rows - count(url, expired)
            # Round by round means something only when each idle round follows its during round.
            pairs = [d / i for d, i in zip(during, idle, strict=False) if i] if interleaved else []
            ratio = trial.ratio
            during_p99 = statistics.median(during) if during else float("nan")
            delta = {k: after[k] - counters[k] for k in after}
            print(
                f"{what} trial {number + 1}: {rows} rows in {seconds:.1f} s running"
                f" ({rows / seconds:.0f} rows/s, {'finished' if trial.finished else 'stopped'},"
                f" its process {trial.cpu:.1f} CPU s); EVENTS p99 at {PACE:.0f}/s idle"
                f" {' '.join(f'{p:.0f}' for p in idle)} ms (median {statistics.median(idle):.0f}),"
                f" during {' '.join(f'{p:.0f}' for p in during)} ms (median"
                f" {during_p99:.0f}): ratio {ratio:.2f}, round by round"
                f" {' '.join(f'{r:.1f}' for r in pairs)}; load {load:.1f}->{load_end:.1f};"
                f" CPU busy {busy / total:.0%} iowait {iowait / total:.0%};"
                f" WAL {delta['wal_bytes'] / 2**20:.0f} MB"
                f" ({delta['wal_write']:.0f} writes, {delta['wal_sync']:.0f} syncs,"
                f" {delta['wal_buffers_full']:.0f} buffers full); checkpoints"
                f" {delta['checkpoints']:.0f}, buffers by backends {delta['buffers_backend']:.0f},"
                f" by checkpointer {delta['buffers_checkpoint']:.0f}",
                flush=True,
            )
            for name, seen in sorted(sampler.seen.items()):
                shown = ", ".join(f"{w} {n}" for w, n in seen.most_common(7))
                samples = sampler.samples[name[0]]
                print(f"  {name}, active backends per wait ({samples} samples): {shown}")


if __name__ == "__main__":
    main()
