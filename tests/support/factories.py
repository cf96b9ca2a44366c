"""Factories for tests: keyword-only arguments, sensible defaults, real operations underneath."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from service.contacts.models import Contact
from service.contacts.operations import get_or_create_contact
from service.content import notices
from service.content import operations as content
from service.content.models import Event, Network, SupportLine
from service.organisations import operations as organisations
from service.organisations.models import Organisation, Site

_seq = itertools.count(1)
LONDON = ZoneInfo("Europe/London")


def create_organisation(
    session: Session,
    *,
    slug: str | None = None,
    name: str = "Test Council",
    numbers: tuple[str, ...] | None = None,
    timezone: str = "Europe/London",
) -> Organisation:
    """An organisation owning one drama-range number."""
    n = next(_seq)
    return organisations.create_organisation(
        session,
        slug=slug or f"org-{n}",
        name=name,
        timezone=timezone,
        numbers=numbers if numbers is not None else (f"+44113496{n % 1000:04d}",),
    )


def create_site(
    session: Session, *, org: Organisation, slug: str | None = None, kind: str = "depot"
) -> Site:
    """A depot with a kiosk."""
    n = next(_seq)
    return organisations.add_site(
        session, org, slug=slug or f"site-{n}", name=f"Site {n}", kind=kind, kiosk_enabled=True
    )


def create_network(
    session: Session,
    *,
    org: Organisation,
    slug: str | None = None,
    name: str | None = None,
    keywords: dict[str, list[str]] | None = None,
    sensitive: bool = False,
    discreet_name: str = "",
    parent: Network | None = None,
) -> Network:
    """A network with one English keyword derived from its slug."""
    n = next(_seq)
    slug = slug or f"net-{n}"
    return content.create_network(
        session,
        org,
        slug=slug,
        name=name or f"Network {n}",
        short_description="A network for testing.",
        keywords=keywords or {"en": [f"NET{n}"]},
        sensitive=sensitive,
        discreet_name=discreet_name or ("Group " + str(n) if sensitive else ""),
        parent=parent,
    )


def create_event(
    session: Session,
    *,
    org: Organisation,
    network: Network | None = None,
    title: str = "Cuppa and chat",
    local_start: dt.datetime = dt.datetime(2026, 3, 6, 12, 30),
    minutes: int = 60,
    rrule: str | None = None,
    site: Site | None = None,
    dial_in_number: str | None = None,
) -> Event:
    """An event starting at a local (Europe/London) wall-clock time."""
    start = local_start.replace(tzinfo=LONDON)
    return content.create_event(
        session,
        org,
        network=network,
        title=title,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        rrule=rrule,
        site=site,
        dial_in_number=dial_in_number,
    )


def create_support_line(
    session: Session,
    *,
    org: Organisation,
    name: str = "Helpline",
    phone: str = "+448081570123",
    crisis: bool = False,
    position: int = 0,
) -> SupportLine:
    """A support line."""
    return notices.create_support_line(
        session, org, name=name, phone=phone, crisis=crisis, position=position
    )


def create_contact(
    session: Session, *, org: Organisation, phone: str | None = None, language: str = "en"
) -> Contact:
    """A contact with a valid UK mobile number (07400 range, not the invalid drama range)."""
    number = phone or f"+4474001{next(_seq) % 100000:05d}"
    contact, _ = get_or_create_contact(session, org.id, number, language=language)
    session.flush()
    return contact
