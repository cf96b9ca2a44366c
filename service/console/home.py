"""/console/ and /console/audit: what a manager can do, and every change made."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import render_template

from service.audit import operations as audit
from service.config import get_config
from service.console import auth
from service.db import get_session, utcnow
from service.organisations.models import Organisation
from service.routes import Routes
from service.verification.limits import budget_spent_since

routes = Routes()


@routes.get("/")
@auth.requires_signed_in
def home():
    """What this manager can do, by role (the menu, with a word on each area)."""
    manager = auth.manager()
    org = get_session().get_one(Organisation, manager.organisation_id)
    spent = budget_spent_since(get_session(), org, utcnow())
    return render_template(
        "console/home.html",
        manager=manager,
        budget_spent_at=spent.astimezone(ZoneInfo(org.timezone)) if spent else None,
        budget=get_config().DAILY_CODE_BUDGET,
    )


@routes.get("/audit")
@auth.requires("audit.view")
def audit_log():
    """Every change, broadcast, download and number reveal, newest first."""
    manager = auth.manager()
    entries = audit.recent(get_session(), manager.organisation_id)
    return render_template("console/audit.html", entries=entries)
