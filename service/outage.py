"""What every channel answers while the database cannot be reached: 503, quickly, nothing kept.

A request that meets a stopped or unreachable database has written nothing that stays: its
transaction dies with the connection. Answering 503 at once (not 500, not a hang) lets Twilio
try the webhook again, the kiosk say "try again in a minute", and a proxy or monitor see an
outage rather than a bug. The pool checks connections before use, so the first request after
the database returns gets a fresh one and service resumes without a restart.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import exc as sa_exc

log = logging.getLogger(__name__)

# Connection refused, reset, timed out, or the pool exhausted waiting for one: the database is
# out of reach. Other database errors (a constraint, a bug) stay 500s and are not hidden here.
DATABASE_UNREACHABLE: tuple[type[Exception], ...] = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
)

# PostgreSQL's word for two transactions that got in each other's way: a deadlock, and a
# serialisation failure. Neither is an outage: the transaction was rolled back, nothing of it
# stays, and the same request run again goes through (service.application does, for webhooks).
CONFLICT_SQLSTATES = frozenset({"40P01", "40001"})

# Twilio and browsers may come back after this many seconds.
RETRY_AFTER_SECONDS = 30


def is_unreachable(error: BaseException) -> bool:
    """True when an error means the database could not be reached (not a fault in the query)."""
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, DATABASE_UNREACHABLE)


def is_conflict(error: BaseException) -> bool:
    """True when the database rolled a transaction back for another's sake (a deadlock)."""
    if not isinstance(error, sa_exc.DBAPIError):
        return False
    return getattr(error.orig, "sqlstate", None) in CONFLICT_SQLSTATES


def unavailable_response() -> Response:
    """503 with Retry-After: JSON with a message for the kiosk's scripts, short text otherwise."""
    message = _("Sorry, we cannot do that just now. Please try again in a minute.")
    if request.is_json or request.accept_mimetypes.best == "application/json":
        response = jsonify({"status": "unavailable", "message": message})
    else:
        response = Response(message + "\n", mimetype="text/plain")
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def register(app: Flask) -> None:
    """Answer 503 to any request that finds the database out of reach."""

    @app.errorhandler(sa_exc.DBAPIError)
    @app.errorhandler(sa_exc.TimeoutError)
    def database_unreachable(error: Exception) -> Response:
        if not is_unreachable(error):
            raise error  # a real fault: Flask turns it into the usual 500
        cause = error.orig if isinstance(error, sa_exc.DBAPIError) else error
        # The kind of failure only: a driver's message can quote the statement's values.
        what = "conflict" if is_conflict(error) else "unreachable"
        log.warning("database %s (%s): 503 for %s", what, type(cause).__name__, request.path)
        return unavailable_response()
