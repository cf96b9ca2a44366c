"""Public pages: what an organisation offers, readable by anyone without signing in."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, render_template
from flask_babel import get_locale
from sqlalchemy import select

from service import languages
from service.content import queries
from service.db import get_session, utcnow
from service.errors import NotFound
from service.organisations.models import Organisation
from service.organisations.operations import organisation_by_slug

bp = Blueprint("public", __name__)


@bp.get("/")
def home() -> str:
    """The first organisation's page; a deployment serving several lists them."""
    session = get_session()
    orgs = session.scalars(select(Organisation).order_by(Organisation.id)).all()
    if not orgs:
        return render_template("public/empty.html")
    if len(orgs) > 1:
        return render_template("public/organisations.html", organisations=orgs)
    return _organisation_page(orgs[0])


@bp.get("/o/<slug>/")
def organisation(slug: str) -> str:
    """An organisation's networks, this week's events and support lines."""
    try:
        org = organisation_by_slug(get_session(), slug)
    except NotFound:
        abort(404)
    return _organisation_page(org)


def _organisation_page(org: Organisation) -> str:
    session = get_session()
    language = str(get_locale() or languages.DEFAULT)
    zone = ZoneInfo(org.timezone)
    now = utcnow()
    # "This week" is today and the six days after it, in the organisation's local time.
    today = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    week_end = (today + dt.timedelta(days=7)).astimezone(dt.UTC)
    network_views = queries.networks(session, org.id, language)
    return render_template(
        "public/organisation.html",
        org=org,
        language=languages.BY_CODE[language],
        languages=languages.LANGUAGES,
        networks=network_views,
        network_names={n.id: n.name for n in network_views},
        occurrences=queries.upcoming_occurrences(
            session, org.id, start=now, end=week_end, language=language
        ),
        support_lines=queries.support_lines(session, org.id, language),
        announcements=queries.live_announcements(session, org.id, now=now, language=language),
        numbers=[n.e164 for n in org.numbers if n.sms],
    )
