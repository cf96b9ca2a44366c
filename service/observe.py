"""Each request gets an id, is timed, counted for /metrics and logged in one line."""

from __future__ import annotations

import logging
import secrets
import time

from flask import Flask, Response, g, request

from service import metrics

log = logging.getLogger("service.requests")


def _start() -> None:
    # Made here, never taken from the caller: a client-chosen id could smuggle a number in.
    g.request_id = secrets.token_hex(8)
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    started = g.get("request_started")
    if started is None:
        return response
    seconds = time.perf_counter() - started
    metrics.observe_request(request.blueprint, response.status_code, seconds)
    if log.isEnabledFor(logging.INFO):  # the line's fields are built only when it is kept
        # The route's rule (/kiosk/<site_slug>/), never the path or query: no value typed.
        route = request.url_rule.rule if request.url_rule else "(no route)"
        duration_ms = round(seconds * 1000, 1)
        log.info(
            "%s %s %s %.1fms",
            request.method,
            route,
            response.status_code,
            duration_ms,
            extra={
                "request_id": g.request_id,
                "method": request.method,
                "route": route,
                "status": response.status_code,
                "duration_ms": duration_ms,
            },
        )
    response.headers["X-Request-Id"] = g.request_id
    return response


def register(app: Flask) -> None:
    """Time, count and log every request the app answers."""
    app.before_request(_start)
    app.after_request(_finish)
