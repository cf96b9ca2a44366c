"""Text me this: an event's details, or the support lines, texted to the number typed on a kiosk."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.contacts import operations as contacts
from service.contacts.phone import normalise, textable
from service.content import queries
from service.db import utcnow
from service.errors import NotFound
from service.organisations.models import Organisation
from service.outbox.operations import Draft, send_one
from service.verification import messages
from service.verification import operations as ops
from service.verification.limits import Asker, admit
from service.verification.models import RequestKey


def text_occurrence(
    session: Session,
    org: Organisation,
    phone: str,
    event_id: int,
    occurrence_start: dt.datetime,
    *,
    language: str,
    asker: Asker,
    key: str | None = None,
    proven: bool = False,
) -> str:
    """Text an event's details to the number typed ("text me this"); the masked number.

    No contact is written for it; a number that texted STOP is answered alike and sent nothing.
    """
    if _replayed(session, org, key):
        return ops.masked(normalise(phone))  # a replay: already sent
    occurrence = queries.find_occurrence(session, org.id, event_id, occurrence_start, language)
    if occurrence is None:
        raise NotFound("no such session")
    body = messages.event_details(occurrence, language)
    return _text_self(session, org, phone, body, language, asker, key, proven)


def text_support_lines(
    session: Session,
    org: Organisation,
    phone: str,
    *,
    language: str,
    asker: Asker,
    key: str | None = None,
    proven: bool = False,
) -> str:
    """Text the support lines (names, numbers, hours) to the number typed; the masked number."""
    if _replayed(session, org, key):
        return ops.masked(normalise(phone))
    lines = queries.support_lines(session, org.id, language)
    if not lines:
        raise NotFound("no support lines")
    body = messages.support_lines_text(lines, language)
    return _text_self(session, org, phone, body, language, asker, key, proven)


def _replayed(session: Session, org: Organisation, key: str | None) -> bool:
    return (
        bool(key)
        and session.scalar(
            select(RequestKey.id).where(RequestKey.organisation_id == org.id, RequestKey.key == key)
        )
        is not None
    )


def _text_self(
    session: Session,
    org: Organisation,
    phone: str,
    body: str,
    language: str,
    asker: Asker,
    key: str | None,
    proven: bool,
) -> str:
    # No contact is written for it; a number that texted STOP is answered alike and sent nothing.
    e164 = textable(phone, asker.regions)
    now = utcnow()
    contact = contacts.find_contact(session, org.id, e164)
    since = now - dt.timedelta(hours=1)
    also = ops.phone_line_texts(session, contact, since) if contact is not None else 0
    admit(session, org, e164, "self", asker, now, also_this_hour=also, proven=proven)
    shown = ops.masked(e164)
    dedupe_key = f"self:{key or secrets.token_urlsafe(16)}"
    # A contact's texts go with the contact when they are erased; a silent one is sent none.
    if contact is None:
        draft = Draft(None, body, dedupe_key, language, to=e164)
        send_one(session, org.id, draft, kind="self", urgent=True)
    elif not ops.is_silent(contact):
        draft = Draft(contact.id, body, dedupe_key, language)
        send_one(session, org.id, draft, kind="self", urgent=True)
    if key:
        session.add(RequestKey(organisation_id=org.id, key=key, outcome="texted"))
    return shown
