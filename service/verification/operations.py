"""Start an action with a typed number, text a code, and do the action once the code matches."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass

import phonenumbers
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import languages, metrics
from service.contacts import operations as contacts
from service.contacts.models import Contact
from service.contacts.phone import display, normalise
from service.content import queries
from service.crypto import vault_of
from service.db import utcnow
from service.errors import DomainError, InvalidPhoneNumber, NotFound
from service.organisations.models import Organisation
from service.outbox.models import OutboundMessage
from service.outbox.operations import send_to_contact
from service.verification import messages
from service.verification.actions import Checked, Target, check_target, complete
from service.verification.by_reply import REPLY_LIFETIME, fresh_number, question_text
from service.verification.models import CallerCheck, PendingAction, RequestKey

CODE_LIFETIME = dt.timedelta(minutes=10)
MAX_TRIES = 5
# Codes (and "text me this" texts) one number may be sent in an hour, from any screen.
MAX_TEXTS_PER_HOUR = 3


class TooManyTexts(DomainError):
    """The number has been sent as many codes or texts this hour as it may be."""


class TooManyRequests(DomainError):
    """One browser has asked for codes for too many numbers this hour."""


class CountryNotServed(DomainError):
    """The service does not text numbers in that country."""


class NumberOptedOut(DomainError):
    """The number asked not to be texted (STOP); it must text START first."""


@dataclass(frozen=True)
class Asker:
    """Who is asking, as far as limits go: the channel, and a browser's address if known."""

    channel: str
    address: str | None = None
    # Country calling codes the organisation texts (FRONTLINE_ALLOWED_COUNTRY_CODES).
    countries: frozenset[int] = frozenset({44})
    # Codes one address may ask for in an hour: a depot PC serves a whole shift, a phone one.
    per_hour: int = 10


@dataclass(frozen=True)
class Started:
    """A code is on its way; the page keeps the token, never the number."""

    token: str
    masked: str
    by_reply: bool


def masked(e164: str) -> str:
    """The number as people read it, every digit hidden but the last three."""
    shown = display(e164)
    digits = sum(c.isdigit() for c in shown)
    out, seen = [], 0
    for c in shown:
        if c.isdigit():
            seen += 1
            out.append(c if seen > digits - 3 else "•")
        else:
            out.append(c)
    return "".join(out)


def texts_this_hour(session: Session, contact: Contact, now: dt.datetime) -> int:
    """Codes, questions and "text me this" texts the contact's number was sent this hour."""
    since = now - dt.timedelta(hours=1)
    codes = session.scalar(
        select(func.count()).where(
            PendingAction.contact_id == contact.id, PendingAction.created_at > since
        )
    )
    own = session.scalar(
        select(func.count()).where(
            OutboundMessage.contact_id == contact.id,
            OutboundMessage.kind == "self",
            OutboundMessage.created_at > since,
        )
    )
    # Codes the phone line texted to check a caller count too: they go to the same phone.
    calls = session.scalar(
        select(func.count()).where(
            CallerCheck.contact_id == contact.id, CallerCheck.created_at > since
        )
    )
    return (codes or 0) + (own or 0) + (calls or 0)


def _contact_for(
    session: Session,
    org: Organisation,
    phone: str,
    language: str,
    now: dt.datetime,
    countries: frozenset[int],
) -> Contact:
    e164 = normalise(phone)
    if phonenumbers.parse(e164, None).country_code not in countries:
        raise CountryNotServed("the service does not text that country")
    contact, _created = contacts.get_or_create_contact(session, org.id, e164, language=language)
    if contact.opted_out_at is not None:
        raise NumberOptedOut("the number texted STOP")
    if contact.unusable_at is not None:
        raise InvalidPhoneNumber("the number cannot take texts")
    if texts_this_hour(session, contact, now) >= MAX_TEXTS_PER_HOUR:
        metrics.throttled("verification")
        raise TooManyTexts("three texts an hour is the most one number gets")
    return contact


def _replayed(session: Session, org: Organisation, key: str | None) -> Started | None:
    if not key:
        return None
    found = session.scalar(
        select(RequestKey).where(RequestKey.organisation_id == org.id, RequestKey.key == key)
    )
    if found is None or found.action_id is None:
        return None
    action = session.get_one(PendingAction, found.action_id)
    contact = session.get_one(Contact, action.contact_id)
    return Started(action.token, masked(contact.phone), action.by_reply)


def start_action(
    session: Session,
    org: Organisation,
    phone: str,
    target: Target,
    *,
    asker: Asker,
    language: str,
    site_id: int | None = None,
    key: str | None = None,
    by_reply: bool = False,
) -> Started:
    """Text a code (or, for a replayed offline request, a question to reply YES to)."""
    replay = _replayed(session, org, key)
    if replay is not None:
        return replay
    language = language if languages.is_supported(language) else languages.DEFAULT
    network, occurrence = check_target(session, org, target, language)
    now = utcnow()
    vault = vault_of(session)
    requesters = vault.blind_indexes(f"address {asker.address}") if asker.address else ()
    requester = requesters[0] if requesters else None
    if requester is not None:
        asked = session.scalar(
            select(func.count()).where(
                # Every key's index: rows from before a data-key change still count.
                PendingAction.requester_index.in_(requesters),
                PendingAction.created_at > now - dt.timedelta(hours=1),
            )
        )
        if (asked or 0) >= asker.per_hour:
            metrics.throttled("verification")
            raise TooManyRequests("this browser has asked for enough codes this hour")
    contact = _contact_for(session, org, phone, language, now, asker.countries)
    token = secrets.token_urlsafe(32)
    # A question confirmed by text carries a one-off reply number in place of a code.
    code = fresh_number(session, contact) if by_reply else f"{secrets.randbelow(1_000_000):06d}"
    action = PendingAction(
        token=token,
        organisation_id=org.id,
        contact_id=contact.id,
        action=target.action,
        network_id=target.network_id,
        event_id=target.event_id,
        occurrence_start=target.occurrence_start,
        consent_version=contacts.CONSENT_VERSION if target.consent else None,
        site_id=site_id,
        channel=asker.channel,
        language=language,
        code_hash=vault.blind_index(f"code {token} {code}"),
        requester_index=requester,
        by_reply=by_reply,
        created_at=now,
        expires_at=now + (REPLY_LIFETIME if by_reply else CODE_LIFETIME),
    )
    session.add(action)
    session.flush()
    if key:
        try:
            with session.begin_nested():
                session.add(
                    RequestKey(organisation_id=org.id, key=key, action_id=action.id, outcome="sent")
                )
        except IntegrityError:
            # The same request raced itself; the first one's code stands, this one is undone.
            session.delete(action)
            session.flush()
            replay = _replayed(session, org, key)
            if replay is None:
                raise
            return replay
    if by_reply:
        # Never the conversation's open question: only a YES with this number confirms it.
        body = question_text(session, action, network, occurrence, code)
    else:
        body = messages.code_text(org.name, code, language)
    send_to_contact(
        session,
        contact.id,
        org.id,
        body,
        kind="code",
        dedupe_key=f"code:{token}",
        language=language,
        urgent=True,  # a code held until 08:00 is no code at all
    )
    return Started(token, masked(contact.phone), by_reply)


def check_code(session: Session, org: Organisation, token: str, code: str) -> Checked:
    """Compare a typed code; do the action when it matches. Wrong tries are counted."""
    action = session.scalar(
        select(PendingAction).where(
            PendingAction.token == token, PendingAction.organisation_id == org.id
        )
    )
    if action is None or action.by_reply:
        raise NotFound("no such code request")
    if action.completed_at is not None:
        return Checked("already", action.action, network_id=action.network_id)
    now = utcnow()
    if action.attempts >= MAX_TRIES:
        return Checked("locked", action.action)
    if now >= action.expires_at:
        return Checked("expired", action.action)
    # Codes are never rotated (they live minutes): one sent before a data-key change is
    # checked under the old key it was hashed with.
    candidates = vault_of(session).blind_indexes(f"code {token} {code.strip()}")
    if not any([hmac.compare_digest(c, action.code_hash) for c in candidates]):
        action.attempts += 1
        left = MAX_TRIES - action.attempts
        return Checked("wrong" if left else "locked", action.action, tries_left=left)
    return complete(session, action, now)


def text_occurrence(
    session: Session,
    org: Organisation,
    phone: str,
    event_id: int,
    occurrence_start: dt.datetime,
    *,
    language: str,
    countries: frozenset[int] = frozenset({44}),
    key: str | None = None,
) -> str:
    """Text an event's details to the number typed ("text me this"); the masked number."""
    if key and session.scalar(
        select(RequestKey.id).where(RequestKey.organisation_id == org.id, RequestKey.key == key)
    ):
        return masked(normalise(phone))  # a replay: already sent
    occurrence = queries.find_occurrence(session, org.id, event_id, occurrence_start, language)
    if occurrence is None:
        raise NotFound("no such session")
    contact = _contact_for(session, org, phone, language, utcnow(), countries)
    shown = masked(contact.phone)
    send_to_contact(
        session,
        contact.id,
        org.id,
        messages.event_details(occurrence, language),
        kind="self",
        dedupe_key=f"self:{key or secrets.token_urlsafe(16)}",
        language=language,
        urgent=True,
    )
    if key:
        session.add(RequestKey(organisation_id=org.id, key=key, outcome="texted"))
    return shown
