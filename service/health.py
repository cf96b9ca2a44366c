"""For monitoring: GET /healthz (database and queue reachable?) and GET /metrics (Prometheus)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import threading
from collections.abc import Callable, Iterable

from flask import Blueprint, Response, abort, current_app, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, or_, select

from service import metrics
from service.db import get_database, utcnow
from service.outbox.models import STATUS_RANK, OutboundMessage

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
    from service.extensions import huey

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


UNSENT = ("pending", "sending")


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class StoreCollector(Collector):
    """Gauges read from the database and the queue at each scrape, the same from any process."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def collect(self) -> Iterable[Metric]:
        """The outbox, broadcasts in progress, sends and Twilio errors; what is reachable."""
        queue_up = GaugeMetricFamily("frontline_queue_up", "1 when the task queue answers.")
        queue_up.add_metric([], 1.0 if _passes(check_queue) else 0.0)
        yield queue_up
        database_up = GaugeMetricFamily("frontline_database_up", "1 when the database answers.")
        try:
            families = list(self._from_database())
        except Exception as exc:
            log.warning("metrics: the database did not answer: %s", type(exc).__name__)
            database_up.add_metric([], 0.0)
            yield database_up
            return
        database_up.add_metric([], 1.0)
        yield database_up
        yield from families

    def _from_database(self) -> Iterable[Metric]:
        now, since = self.now, self.now - dt.timedelta(hours=1)
        row = OutboundMessage
        with get_database(current_app).session() as session:
            by_status = {
                status: count
                for status, count in session.execute(
                    select(row.status, func.count()).group_by(row.status)
                )
            }
            due = func.coalesce(row.not_before, row.created_at)
            oldest = session.scalar(
                # Texts held for quiet hours or a scheduled time are not late until they are due.
                select(func.min(due)).where(
                    row.status.in_(UNSENT), or_(row.not_before.is_(None), row.not_before <= now)
                )
            )
            in_progress = session.scalar(
                select(func.count(func.distinct(row.broadcast_id))).where(
                    row.status.in_(UNSENT), row.broadcast_id.is_not(None)
                )
            )
            sent = session.scalar(select(func.count()).where(row.sent_at >= since))
            errors = session.execute(
                select(row.error_code, func.count())
                .where(
                    row.error_code.is_not(None),
                    func.coalesce(row.finished_at, row.sending_at, row.created_at) >= since,
                )
                .group_by(row.error_code)
            ).all()
        rows = GaugeMetricFamily(
            "frontline_outbox_rows", "Texts in the outbox, by status.", labels=["status"]
        )
        for status in STATUS_RANK:
            rows.add_metric([status], float(by_status.get(status, 0)))
        yield rows
        age = GaugeMetricFamily(
            "frontline_outbox_oldest_unsent_seconds",
            "How long the oldest text that is due has waited to be sent (0 when none waits).",
        )
        age.add_metric([], max(0.0, (now - _aware(oldest)).total_seconds()) if oldest else 0.0)
        yield age
        broadcasts = GaugeMetricFamily(
            "frontline_broadcasts_in_progress", "Broadcasts with texts still to send."
        )
        broadcasts.add_metric([], float(in_progress or 0))
        yield broadcasts
        sends = GaugeMetricFamily("frontline_texts_sent_last_hour", "Texts Twilio took, last hour.")
        sends.add_metric([], float(sent or 0))
        yield sends
        failed = GaugeMetricFamily(
            "frontline_twilio_errors_last_hour",
            "Texts Twilio refused or could not deliver in the last hour, by Twilio error code.",
            labels=["code"],
        )
        for code, count in errors:
            failed.add_metric([str(int(code))], float(count))
        yield failed


def _allowed(address: str | None, allow: str) -> bool:
    try:
        client = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(client in ipaddress.ip_network(n.strip(), strict=False) for n in allow.split(","))


@bp.get("/metrics")
def prometheus() -> Response:
    """Prometheus text format, for FRONTLINE_METRICS_ALLOW addresses only (others: 404)."""
    if not _allowed(request.remote_addr, current_app.config["FRONTLINE"].METRICS_ALLOW):
        abort(404)
    body = metrics.render(StoreCollector(utcnow()))
    return Response(body, content_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
