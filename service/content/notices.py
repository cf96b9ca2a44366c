"""Write what staff are told outside events: support lines and announcements."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy.orm import Session

from service import validation
from service.contacts.phone import normalise
from service.content.models import Announcement, Network, SupportLine
from service.content.operations import checked_audio_url
from service.errors import ValidationError
from service.organisations.models import Organisation


def create_support_line(
    session: Session,
    org: Organisation,
    *,
    name: str,
    phone: str,
    hours: str = "",
    description: str = "",
    crisis: bool = False,
    always_open: bool = False,
    position: int = 0,
) -> SupportLine:
    """Add a support line; crisis lines are listed first on every channel."""
    line = SupportLine(organisation_id=org.id)
    _write_support_line(line, name, phone, hours, description, crisis, always_open, position)
    session.add(line)
    session.flush()
    return line


def _support_number(raw: str) -> str:
    # UK short helplines such as Samaritans' 116 123 are not E.164 subscriber numbers.
    digits = re.sub(r"[\s-]", "", raw or "")
    if re.fullmatch(r"116\d{3}|999|111", digits):
        return digits
    return normalise(raw)


def create_announcement(
    session: Session,
    org: Organisation,
    *,
    body: str,
    publish_from: dt.datetime,
    publish_until: dt.datetime | None = None,
    network: Network | None = None,
    audio_url: str | None = None,
) -> Announcement:
    """Publish a notice to the organisation or one network within a window."""
    announcement = Announcement(organisation_id=org.id, audio_url=checked_audio_url(audio_url))
    _write_announcement(announcement, body, publish_from, publish_until, network)
    session.add(announcement)
    session.flush()
    return announcement


def update_support_line(
    session: Session,
    line: SupportLine,
    *,
    name: str,
    phone: str,
    hours: str = "",
    description: str = "",
    crisis: bool = False,
    always_open: bool = False,
    position: int = 0,
) -> SupportLine:
    """Change a support line; its number is checked as when it was added."""
    _write_support_line(line, name, phone, hours, description, crisis, always_open, position)
    session.flush()
    return line


def _write_support_line(
    line: SupportLine,
    name: str,
    phone: str,
    hours: str,
    description: str,
    crisis: bool,
    always_open: bool,
    position: int,
) -> None:
    line.name = validation.required_text("name", name, max_length=200)
    line.phone = _support_number(phone)
    line.hours = validation.optional_text("hours", hours, max_length=200)
    line.description = validation.optional_text("description", description, max_length=2000)
    line.crisis, line.always_open, line.position = crisis, always_open, position


def update_announcement(
    session: Session,
    announcement: Announcement,
    *,
    body: str,
    publish_from: dt.datetime,
    publish_until: dt.datetime | None = None,
    network: Network | None = None,
) -> Announcement:
    """Change an announcement's text, window or network."""
    _write_announcement(announcement, body, publish_from, publish_until, network)
    session.flush()
    return announcement


def _write_announcement(
    announcement: Announcement,
    body: str,
    publish_from: dt.datetime,
    publish_until: dt.datetime | None,
    network: Network | None,
) -> None:
    # Every check before the first change: a refused edit leaves the row as it was.
    if publish_until is not None and publish_until <= publish_from:
        raise ValidationError("publish_until", "the window must end after it starts")
    if network is not None and network.organisation_id != announcement.organisation_id:
        raise ValidationError("network", "the network belongs to another organisation")
    announcement.body = validation.required_text("body", body, max_length=1600)
    announcement.publish_from, announcement.publish_until = publish_from, publish_until
    announcement.network_id = network.id if network is not None else None
