"""Console sessions: flask-login for who is signed in, with idle and absolute time limits."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

from flask import abort, flash, g, redirect, session, url_for
from flask_login import UserMixin, current_user, login_user, logout_user

from service.db import get_session, utcnow
from service.extensions import login_manager
from service.managers.models import Manager
from service.managers.permissions import can

IDLE_LIMIT = dt.timedelta(minutes=30)
ABSOLUTE_LIMIT = dt.timedelta(hours=12)
# Between a right password and the code: long enough to open an authenticator app.
CODE_STEP_LIMIT = dt.timedelta(minutes=5)


class SignedIn(UserMixin):
    """The signed-in manager, as flask-login sees them."""

    def __init__(self, manager: Manager) -> None:
        self.manager = manager
        self.id = manager.id

    def get_id(self) -> str:
        """The manager and their session generation: signing out raises it on the server."""
        return f"{self.manager.id}.{self.manager.session_generation}"


@login_manager.user_loader
def _load(user_id: str) -> SignedIn | None:
    manager_id, _, generation = user_id.partition(".")
    if not manager_id.isdigit() or not generation.isdigit():
        return None
    manager = get_session().get(Manager, int(manager_id))
    if manager is None or manager.disabled_at is not None:
        return None
    # A cookie from before the last sign-out (a copy, a stolen one) names an old generation.
    if manager.session_generation != int(generation):
        return None
    return SignedIn(manager)


@login_manager.unauthorized_handler
def _unauthorised():
    flash("Please sign in.")
    return redirect(url_for("console.sign_in"))


def _stamp(moment: dt.datetime) -> float:
    return moment.timestamp()


def begin(manager: Manager) -> None:
    """Sign the manager in, in a fresh session (nothing carries over from before)."""
    session.clear()
    login_user(SignedIn(manager))
    now = _stamp(utcnow())
    session["signed_in_at"] = session["seen_at"] = now


def end() -> None:
    """Sign out and forget the session."""
    logout_user()
    session.clear()


def enforce_time_limits() -> None:
    """Sign out a session idle for 30 minutes or older than 12 hours; else mark it seen."""
    if not current_user.is_authenticated:
        return
    now = utcnow().timestamp()
    started = session.get("signed_in_at", 0)
    seen = session.get("seen_at", 0)
    if now - seen > IDLE_LIMIT.total_seconds() or now - started > ABSOLUTE_LIMIT.total_seconds():
        end()
        flash("You were signed out to keep the console safe. Please sign in again.")
        return
    session["seen_at"] = now


def manager() -> Manager:
    """The signed-in manager."""
    return current_user.manager


def pending(manager_obj: Manager) -> None:
    """Remember who gave a right password, until they give their code."""
    session.clear()
    session["pending_manager"] = manager_obj.id
    session["pending_at"] = _stamp(utcnow())


def pending_manager() -> Manager | None:
    """The manager waiting to give their code, if they are still within the time for it."""
    manager_id = session.get("pending_manager")
    at = session.get("pending_at", 0)
    if manager_id is None or utcnow().timestamp() - at > CODE_STEP_LIMIT.total_seconds():
        return None
    return get_session().get(Manager, manager_id)


def requires(action: str) -> Callable:
    """Only managers whose roles allow the action (somewhere) get past; the rest get 403."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not can(manager(), action):
                abort(403)
            g.manager = manager()
            return view(*args, **kwargs)

        return wrapped

    return decorate


def requires_signed_in(view: Callable) -> Callable:
    """Any signed-in manager gets past."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    return wrapped
