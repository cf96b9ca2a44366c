"""What a kiosk shows, read through the same queries as every other channel."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.content import queries
from service.errors import NotFound
from service.organisations.models import Organisation, Site
from service.surveys import screens

# How far ahead "What's on" looks.
HORIZON = dt.timedelta(days=14)


def kiosk_site(session: Session, slug: str) -> Site:
    """The kiosk-enabled site with this slug; slugs of kiosk sites are unique per deployment."""
    found = session.scalars(select(Site).where(Site.slug == slug, Site.kiosk_enabled)).all()
    if len(found) != 1:
        raise NotFound("no kiosk here")
    return found[0]


@dataclass(frozen=True)
class WhatsOn:
    """Sessions at this site, sessions anyone can join by phone, and meetings at other places."""

    here: list[queries.Occurrence]
    by_phone: list[queries.Occurrence]
    elsewhere: list[queries.Occurrence]


def whats_on(
    session: Session, org: Organisation, site: Site, language: str, now: dt.datetime
) -> WhatsOn:
    """What is on in the next two weeks, as a person standing at this site cares about it."""
    found = queries.upcoming_occurrences(
        session, org.id, start=now, end=now + HORIZON, language=language
    )
    here = [o for o in found if o.site_id == site.id]
    away = [o for o in found if o.site_id != site.id]
    # A session elsewhere with a dial-in can be joined from here; one without means going there.
    by_phone = [o for o in away if o.dial_in_number]
    elsewhere = [o for o in away if not o.dial_in_number]
    return WhatsOn(here, by_phone, elsewhere)


def occurrence_stamp(occurrence: queries.Occurrence) -> str:
    """The occurrence's start in a URL: UTC, to the minute."""
    return occurrence.starts_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%MZ")


def parse_stamp(stamp: str) -> dt.datetime:
    """The UTC start a URL stamp names; ValueError when it is not one."""
    return dt.datetime.strptime(stamp, "%Y%m%dT%H%MZ").replace(tzinfo=dt.UTC)


def content_version(
    session: Session, org: Organisation, site: Site, language: str, now: dt.datetime
) -> str:
    """A digest of everything the kiosk shows; it changes when a manager publishes."""
    zone = ZoneInfo(org.timezone)
    # Day granularity: the list changes at midnight too, as past sessions drop off.
    today = now.astimezone(zone).date().isoformat()
    parts = [
        today,
        repr(queries.networks(session, org.id, language)),
        repr(whats_on(session, org, site, language, now)),
        repr(queries.support_lines(session, org.id, language)),
        repr(queries.live_announcements(session, org.id, now=now, language=language)),
        # A survey opening or closing shows or hides "Have your say".
        repr([s.id for s in screens.offered(session, org.id, now, site_id=site.id)]),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
