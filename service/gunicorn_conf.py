"""gunicorn settings shipped with the package (deploy/systemd/frontline-web.service uses them)."""

from __future__ import annotations

import gc


def post_worker_init(worker: object) -> None:
    """Once a web process has loaded the app, keep what it loaded out of the collector's scans.

    The app, its modules and caches are hundreds of thousands of objects that live as long as
    the process; every full collection walked them all, a pause of milliseconds that landed
    on whichever request happened to allocate at the time. Frozen, a collection walks only
    what requests made since.
    """
    gc.freeze()
    # On SQLite, this process's commits no longer checkpoint the WAL: a thread of its own does.
    from service.db import EXTENSION_KEY

    # (The benches serve their baseline apps with these settings too: they have no database.)
    database = getattr(worker.wsgi, "extensions", {}).get(EXTENSION_KEY)  # type: ignore[attr-defined]
    if database is not None:
        database.checkpoint_in_background()


def child_exit(server: object, worker: object) -> None:
    """Forget a dead web process's live gauges, so /metrics counts only processes that run."""
    from service import metrics

    metrics.process_exited(worker.pid)  # type: ignore[attr-defined]
