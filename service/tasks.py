"""Huey tasks and periodic jobs. Each task opens its own app context and database session."""

from __future__ import annotations

import logging
import threading

from flask import Flask, current_app, has_app_context

from service.queue import huey

log = logging.getLogger(__name__)
_worker_app: Flask | None = None
_lock = threading.Lock()


@huey.on_startup()
def _build_worker_app() -> None:
    # A worker process builds one app at start-up and reuses its engine for every task.
    global _worker_app
    from service import create_app

    with _lock:
        if _worker_app is None:
            _worker_app = create_app()


def task_app() -> Flask:
    """The app a task runs in: the caller's in immediate mode, the worker's otherwise."""
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    if _worker_app is None:
        _build_worker_app()
    assert _worker_app is not None
    return _worker_app
