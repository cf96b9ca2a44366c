"""Prometheus metrics this process records: requests by channel, throttles hit.

Counts that live in the database (the outbox, broadcasts, the queue) are read when /metrics
is scraped (service/health.py); only what happens inside a process is counted here. Under
gunicorn, PROMETHEUS_MULTIPROC_DIR makes every process write to files there, and a scrape of
any one process adds them all up. Labels are fixed words and status codes: never a number,
a body or a network's name.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

_LOCAL = CollectorRegistry(auto_describe=True)
# A *_created timestamp beside every counter only doubles what a scrape carries.
disable_created_metrics()

# Blueprint -> the channel label: the words a dashboard groups by.
CHANNELS = {
    "sms": "sms",
    "voice": "voice",
    "outbox": "sms_status",
    "kiosk": "kiosk",
    "kiosk_assets": "kiosk",
    "public": "public",
    "console": "console",
    "devtools": "devtools",
}
THROTTLES = ("verification", "speakup")

REQUESTS = Counter(
    "frontline_requests",
    "Requests answered, by channel (Twilio's webhooks are sms, voice, sms_status) and status.",
    ("channel", "status"),
    registry=_LOCAL,
)
LATENCY = Histogram(
    "frontline_request_duration_seconds",
    "Time to answer a request, by channel and status.",
    ("channel", "status"),
    # Twilio gives a webhook 15 s; most answers take milliseconds.
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0),
    registry=_LOCAL,
)
THROTTLED = Counter(
    "frontline_throttled",
    "Attempts refused by a limit: verification codes asked too often, speak-up tries.",
    ("kind",),
    registry=_LOCAL,
)


def observe_request(blueprint: str | None, status: int, seconds: float) -> None:
    """Count one answered request (monitoring's own endpoints are not counted)."""
    channel = CHANNELS.get(blueprint or "")
    if channel is None:
        return
    counted = _children.get((channel, status))
    if counted is None:
        labels = (channel, str(status))
        counted = _children[(channel, status)] = (
            REQUESTS.labels(*labels),
            LATENCY.labels(*labels),
        )
    counted[0].inc()
    counted[1].observe(seconds)


# (channel, status) -> its request counter and latency histogram: labels() takes a lock and
# builds a key on every call, and the set of pairs is small and fixed.
_children: dict[tuple[str, int], tuple[Counter, Histogram]] = {}


def throttled(kind: str) -> None:
    """Count one attempt a limit refused."""
    assert kind in THROTTLES, kind
    THROTTLED.labels(kind).inc()


def multiprocess_dir() -> str | None:
    """Where gunicorn's processes share their counts, when several serve together."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def process_exited(pid: int) -> None:
    """Drop a dead process's live-only values (gunicorn's child_exit hook calls this)."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(pid)


class _Local(Collector):
    def collect(self) -> Iterable[Metric]:
        return _LOCAL.collect()


def render(*extra: Collector) -> bytes:
    """The text exposition: this process's (or every process's) counts, then extra collectors."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_dir():
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_Local())
    for collector in extra:
        registry.register(collector)
    return generate_latest(registry)
