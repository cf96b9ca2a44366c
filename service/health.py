"""GET /healthz: can this process reach the database and the task queue? For monitoring."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from flask import Blueprint, Response, current_app, jsonify

from service.db import get_database

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)

# A check that has not answered by then counts as down: a monitor must not hang with us.
TIMEOUT_SECONDS = 2.0


def _passes(check: Callable[[], object]) -> bool:
    """True when check returns within TIMEOUT_SECONDS without raising."""
    outcome: list[bool] = []

    def run() -> None:
        try:
            check()
            outcome.append(True)
        except Exception as exc:
            # Any failure at all means "error"; its kind goes to the log, never to the caller.
            log.warning("health check %s failed: %s", check.__name__, type(exc).__name__)
            outcome.append(False)

    # A daemon thread: a check stuck on a dead host is abandoned, not waited for.
    worker = threading.Thread(target=run, name="healthz", daemon=True)
    worker.start()
    worker.join(TIMEOUT_SECONDS)
    return outcome == [True]


def check_database() -> None:
    """SELECT 1 through the app's engine."""
    engine = get_database(current_app).engine
    # The DBAPI connection directly: no ORM session, and on SQLite no BEGIN IMMEDIATE that
    # would wait behind a writer just to say hello.
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT 1")
        cursor.fetchall()
        cursor.close()
    finally:
        connection.close()


def check_queue() -> None:
    """Ask huey's storage how long the queue is (one cheap round trip to its backend)."""
    from service.queue import huey

    huey.storage.queue_size()


@bp.get("/healthz")
def healthz() -> Response:
    """Report "ok" or "error" for the database and the queue; 503 unless both are ok."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def in_app(check: Callable[[], None]) -> Callable[[], None]:
        # The check runs in its own thread, which needs the app pushed to find the engine.
        def run() -> None:
            with app.app_context():
                check()

        run.__name__ = check.__name__
        return run

    results = {
        "database": "ok" if _passes(in_app(check_database)) else "error",
        "queue": "ok" if _passes(check_queue) else "error",
    }
    healthy = all(value == "ok" for value in results.values())
    response = jsonify(results)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
