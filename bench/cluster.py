"""`make cluster`: 2 gunicorn web processes and 2 huey workers on local PostgreSQL and Redis.

Run it as `python bench/cluster.py` (foreground; Ctrl-C stops all four), or import
running_cluster: the reliability suite (tests/reliability) starts the same cluster.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROOT, VENV_BIN, free_port

DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/frontline_cluster"
QUEUE_URL = "redis://127.0.0.1:6379/1"
PORT = 8000


def _admin_dsn(url: str) -> tuple[str, str]:
    """A libpq DSN for the server's maintenance database, and the database url names."""
    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres")
    return admin.render_as_string(hide_password=False), str(parsed.database)


def create_database(url: str) -> bool:
    """Create the database url names unless it exists; True when it was created."""
    dsn, name = _admin_dsn(url)
    with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return True


def drop_database(url: str) -> None:
    """Drop the database url names, closing any connection a dead process left open."""
    dsn, name = _admin_dsn(url)
    with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@dataclass
class Cluster:
    """A running cluster: where to reach it and the environment its processes share."""

    url: str
    env: dict[str, str]
    processes: list[subprocess.Popen] = field(default_factory=list)
    output: IO[str] | None = None

    def start(self, command: list[str]) -> subprocess.Popen:
        """Start one more process of the cluster (stopped with the rest)."""
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
            stdout=self.output,
            stderr=self.output,
        )
        self.processes.append(process)
        return process

    def add_worker(self, threads: int = 2) -> subprocess.Popen:
        """Start another `frontline worker` on the same database and queue."""
        return self.start([str(VENV_BIN / "frontline"), "worker", "--workers", str(threads)])


def cluster_env(port: int, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of every process: this one's, with the cluster's defaults filled in."""
    env = dict(os.environ)
    # The test suite's own database setting must not leak into the service's processes.
    env.pop("FRONTLINE_TEST_DATABASE_URL", None)
    env.setdefault("FRONTLINE_ENV", "development")
    env.setdefault("FRONTLINE_DATABASE_URL", DATABASE_URL)
    env.setdefault("FRONTLINE_QUEUE_URL", QUEUE_URL)
    # Webhook signatures are checked against this URL, so it must be where clients post.
    env.setdefault("FRONTLINE_PUBLIC_URL", f"http://127.0.0.1:{port}")
    env.update(overrides or {})
    return env


def _stop(processes: list[subprocess.Popen]) -> None:
    # Each process leads its own group, so gunicorn's workers and huey's threads go with it.
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_healthy(url: str, processes: list[subprocess.Popen], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        dead = [p.args for p in processes if p.poll() is not None]
        if dead:
            raise RuntimeError(f"cluster process exited at start: {dead}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url}/healthz did not answer 200 within {seconds:.0f} s")


@contextmanager
def running_cluster(
    overrides: Mapping[str, str] | None = None,
    *,
    port: int | None = None,
    output: IO[str] | None = None,
) -> Iterator[Cluster]:
    """Migrate, load the demo if empty, start 2 web + 2 worker processes; stop them after."""
    port = port or free_port()
    env = cluster_env(port, overrides)
    create_database(env["FRONTLINE_DATABASE_URL"])
    frontline = str(VENV_BIN / "frontline")
    # Migrations and the demo run first and alone: four processes racing to migrate would fail.
    # The first also writes the development keys into the instance folder, as `make run` does.
    for step in (["db", "upgrade"], ["demo", "--if-empty"]):
        subprocess.run([frontline, *step], cwd=ROOT, env=env, check=True, stdout=output)
    commands = [
        [
            str(VENV_BIN / "gunicorn"),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "service:create_app()",
        ],
        [frontline, "worker", "--workers", "2"],
        [frontline, "worker", "--workers", "2"],
    ]
    cluster = Cluster(f"http://127.0.0.1:{port}", env, output=output)
    try:
        for command in commands:
            cluster.start(command)
        _wait_healthy(cluster.url, cluster.processes, 60)
        yield cluster
    finally:
        _stop(cluster.processes)


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    """Run the cluster in the foreground until Ctrl-C (or SIGTERM)."""
    # A supervisor's SIGTERM, and a Ctrl-C even where the shell started us ignoring SIGINT,
    # must still stop the four processes, which live in their own sessions.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    port = int(os.environ.get("PORT", PORT))
    with running_cluster(port=port) as cluster:
        env = cluster.env
        print(
            f"\n  Frontline Connect cluster: 2 web processes (gunicorn) and 2 workers.\n"
            f"    web       {cluster.url}/  (kiosk: {cluster.url}/kiosk/eastfield-depot/)\n"
            f"    database  {make_url(env['FRONTLINE_DATABASE_URL']).render_as_string()}\n"
            f"    queue     {env['FRONTLINE_QUEUE_URL']}\n"
            f"  Ctrl-C stops all four.\n",
            flush=True,
        )
        try:
            while all(p.poll() is None for p in cluster.processes):
                time.sleep(0.5)
            print("a cluster process exited: stopping the others", file=sys.stderr)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
