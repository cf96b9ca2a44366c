"""GET /healthz: the database and the queue, "ok" or "error", for monitors and load balancers."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from service import extensions
from service.db import get_database


def test_healthy_service_answers_200(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"database": "ok", "queue": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_database_down_answers_503(app, client, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> None:
        raise OperationalError("SELECT 1", {}, Exception("secret host db.internal:5432"))

    monkeypatch.setattr(get_database(app).engine, "raw_connection", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"database": "error", "queue": "ok"}
    assert b"db.internal" not in response.data


def test_queue_down_answers_503(client, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> int:
        raise ConnectionError("redis://queue.internal:6379 refused")

    monkeypatch.setattr(extensions.huey.storage, "queue_size", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"database": "ok", "queue": "error"}
    assert b"queue.internal" not in response.data


def test_a_hanging_check_counts_as_down(client, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from service import health

    release = threading.Event()
    monkeypatch.setattr(health, "TIMEOUT_SECONDS", 0.1)
    monkeypatch.setattr(extensions.huey.storage, "queue_size", lambda: release.wait(5))
    try:
        response = client.get("/healthz")
    finally:
        release.set()
    assert response.status_code == 503
    assert response.get_json()["queue"] == "error"


def test_healthz_needs_no_session_or_csrf(client) -> None:
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
