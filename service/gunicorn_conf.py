"""gunicorn settings shipped with the package (deploy/systemd/frontline-web.service uses them)."""

from __future__ import annotations


def child_exit(server: object, worker: object) -> None:
    """Forget a dead web process's live gauges, so /metrics counts only processes that run."""
    from service import metrics

    metrics.process_exited(worker.pid)  # type: ignore[attr-defined]
