"""/console/ and /console/audit: what a manager can do, and every change made."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import render_template

from service.audit import operations as audit
from service.config import get_config
from service.console import auth
from service.db import get_session, utcnow
from service.managers.models import Manager
from service.organisations.models import Organisation
from service.reach.operations import COLUMNS, ReachQuery, month_of, reach_table
from service.reach.suppression import shown_count
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
        led=_led_networks(manager, org),
        month=month_of(org, utcnow()),
    )


# What a lead sees of each network they lead this month, small numbers hidden as on Reach.
LEAD_FIGURES = (
    ("members", "Members now"),
    ("join", "Joins"),
    ("leave", "Leaves"),
    ("rsvp", "RSVPs"),
)


def _led_networks(manager: Manager, org: Organisation) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each network the manager leads, with this month's figures as the Reach page shows them."""
    month = month_of(org, utcnow())
    led = []
    for network_id in sorted(
        {r.network_id for r in manager.roles if r.role == "network_lead" and r.network_id}
    ):
        query = ReachQuery(
            group_by="network", first_month=month, last_month=month, network_id=network_id
        )
        table = reach_table(get_session(), org.id, query)
        line = next((line for line in table.lines if line.key == network_id), None)
        if line is None:
            continue
        figures = [
            (label, shown_count(line.counts[COLUMNS.index(column)] or 0))
            for column, label in LEAD_FIGURES
        ]
        led.append((line.label, figures))
    return led


@routes.get("/audit")
@auth.requires("audit.view")
def audit_log():
    """Every change, broadcast, download and number reveal, newest first."""
    manager = auth.manager()
    entries = audit.recent(get_session(), manager.organisation_id)
    return render_template("console/audit.html", entries=entries)
