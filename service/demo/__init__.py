"""Load the demo organisation: idempotent, realistic, and free of real people's details."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from dateutil import rrule as du_rrule
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.content import notices
from service.content import operations as content_ops
from service.db import utcnow
from service.demo import translations
from service.demo.content import (
    ANNOUNCEMENTS,
    EVENTS,
    NETWORKS,
    ORGANISATION,
    SITES,
    SUPPORT_LINES,
)
from service.demo.history import add_reach_history
from service.demo.people import add_people
from service.organisations import operations as organisations
from service.organisations.models import Organisation

DEMO_SLUG = ORGANISATION["slug"]

# The demo's meetings have run for about a year whatever the date it is loaded on: each series
# starts on its rule's first date on or after a year before now, so every channel shows the
# same kind of weeks ahead (and a year of past dates) on any day, in any year.
SERIES_AGE = dt.timedelta(days=365)
# The written starts move back this far before the rule is asked for a date: 522 whole weeks,
# so a fortnightly meeting keeps its weeks, and years before any clock the demo will meet.
_FAR_BACK = dt.timedelta(weeks=522)


def load_demo(session: Session, *, people: bool = False) -> bool:
    """Create the demo organisation unless it exists; True when it was created.

    With people, also its made-up members, headcounts and the people heard from each month
    (`frontline demo` and `make run`); the tests' shared demo has none, so that each test's
    own members are the only ones it meets.
    """
    if session.scalar(select(Organisation.id).where(Organisation.slug == DEMO_SLUG)) is not None:
        return False
    org = organisations.create_organisation(
        session,
        slug=DEMO_SLUG,
        name=ORGANISATION["name"],
        timezone=ORGANISATION["timezone"],
        numbers=ORGANISATION["numbers"],
    )
    zone = ZoneInfo(org.timezone)
    sites = {spec["slug"]: organisations.add_site(session, org, **spec) for spec in SITES}

    networks = {}
    for spec in NETWORKS:
        spec = dict(spec)
        parent = spec.pop("parent", None)
        english = spec.pop("keywords")
        words = {"en": english}
        for language, by_network in translations.KEYWORDS.items():
            words[language] = by_network.get(spec["slug"], ())
        networks[spec["slug"]] = content_ops.create_network(
            session, org, parent=networks.get(parent), keywords=words, **spec
        )
    _translate(session, "network", networks)

    events = {}
    now = utcnow()
    for spec in EVENTS:
        start = series_start(spec["start"], spec["rrule"], zone, now)
        events[spec["key"]] = content_ops.create_event(
            session,
            org,
            network=networks[spec["network"]],
            title=spec["title"],
            description=spec["description"],
            site=sites.get(spec.get("site", "")),
            place=spec.get("place", ""),
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=spec["minutes"]),
            rrule=spec["rrule"],
            dial_in_number=spec.get("dial_in_number"),
            dial_in_pin=spec.get("dial_in_pin"),
        )
    _translate(session, "event", events)

    lines = {}
    for spec in SUPPORT_LINES:
        spec = dict(spec)
        key = spec.pop("key")
        lines[key] = notices.create_support_line(session, org, **spec)
    _translate(session, "support", lines)

    announcements = {
        spec["key"]: notices.create_announcement(
            session,
            org,
            body=spec["body"],
            publish_from=now,
            publish_until=now + dt.timedelta(days=spec["days"]),
        )
        for spec in ANNOUNCEMENTS
    }
    _translate(session, "announcement", announcements)
    add_reach_history(session, org, networks, sites, now)
    if people:
        add_people(session, org, now)
    session.flush()
    return True


def series_start(written: str, rule: str, zone: ZoneInfo, now: dt.datetime) -> dt.datetime:
    """The first date of a demo series on or after SERIES_AGE before now, in local time."""
    anchor = dt.datetime.fromisoformat(written) - _FAR_BACK
    since = (now.astimezone(zone) - SERIES_AGE).replace(tzinfo=None)
    first = du_rrule.rrulestr(rule, dtstart=anchor).after(since, inc=True)
    return first.replace(tzinfo=zone)


def _translate(session: Session, kind: str, rows: dict) -> None:
    # Demo translations were written without a native speaker's review: marked unreviewed.
    for language, texts in translations.TRANSLATIONS.items():
        for key, row in rows.items():
            fields = texts.get(f"{kind}:{key}", {})
            content_ops.set_translations(session, row, language, fields, reviewed=False)
