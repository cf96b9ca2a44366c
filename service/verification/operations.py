"""Start an action with a typed number, text a code, and do the action once the code matches."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import languages
from service.contacts import operations as contacts
from service.contacts.models import Contact
from service.contacts.phone import (  # noqa: F401 (refusals re-exported for the handlers)
    NotAMobile,
    RegionNotServed,
    masked,
    textable,
)
from service.crypto import vault_of
from service.db import utcnow
from service.errors import NotFound, ValidationError
from service.organisations.models import Organisation
from service.outbox.models import OutboundMessage
from service.outbox.operations import Draft, send_one
from service.verification import messages, visits
from service.verification.actions import Checked, Target, check_target, complete, pending_action
from service.verification.by_reply import (
    REPLY_LIFETIME,
    fresh_number,
    matches,
    reply_hash,
    send_question,
)
from service.verification.limits import (  # noqa: F401 (re-exported for the handlers)
    MAX_TEXTS_PER_HOUR,
    Asker,
    DailyBudgetSpent,
    TooManyRequests,
    TooManyTexts,
    TooManyTextsToday,
    admit,
    number_requests_since,
)
from service.verification.models import CallerCheck, PendingAction, RequestKey, SendRequest

CODE_LIFETIME = dt.timedelta(minutes=10)
MAX_TRIES = 5
# The refusals a screen shows, re-exported: the web handlers name them through this module.
CountryNotServed = RegionNotServed


@dataclass(frozen=True)
class Started:
    """A code is on its way; the page keeps the token, never the number."""

    token: str
    masked: str
    by_reply: bool


def texts_this_hour(session: Session, contact: Contact, now: dt.datetime) -> int:
    """Codes, questions and "text me this" texts the contact's number was sent this hour."""
    since = now - dt.timedelta(hours=1)
    # Kiosk and web requests, counted by the number (before a code proves it, no contact).
    screens = number_requests_since(session, contact.organisation_id, contact.phone, since)
    return screens + phone_line_texts(session, contact, since)


def phone_line_texts(session: Session, contact: Contact, since: dt.datetime) -> int:
    """Texts the phone line (and other channels' questions) sent the contact's number since."""
    own = session.scalar(
        select(func.count()).where(
            OutboundMessage.contact_id == contact.id,
            OutboundMessage.kind == "self",
            OutboundMessage.dedupe_key.startswith("voice:"),
            OutboundMessage.created_at > since,
        )
    )
    # Codes the phone line texted to check a caller count too: they go to the same phone.
    calls = session.scalar(
        select(func.count()).where(
            CallerCheck.contact_id == contact.id, CallerCheck.created_at > since
        )
    )
    # Questions asked by text for another channel ("Reply YES 4821" after a call); the
    # screens' own are counted by the number above.
    questions = session.scalar(
        select(func.count()).where(
            PendingAction.contact_id == contact.id,
            PendingAction.channel.not_in(("kiosk", "web")),
            PendingAction.created_at > since,
        )
    )
    return (own or 0) + (calls or 0) + (questions or 0)


def is_silent(contact: Contact | None) -> bool:
    """True for a number that gets no texts (STOP, or Twilio said it cannot take them)."""
    # Such a number is answered like any other, so the public screens are no oracle for who
    # opted out; it just gets no text.
    return contact is not None and (
        contact.opted_out_at is not None or contact.unusable_at is not None
    )


def _replayed(session: Session, org: Organisation, key: str | None) -> Started | None:
    if not key:
        return None
    found = session.scalar(
        select(RequestKey).where(RequestKey.organisation_id == org.id, RequestKey.key == key)
    )
    if found is None or found.action_id is None:
        return None
    action = session.get_one(PendingAction, found.action_id)
    return Started(action.token, masked(_number_of(session, action)), action.by_reply)


def _number_of(session: Session, action: PendingAction) -> str:
    if action.phone_encrypted:
        return vault_of(session).decrypt(action.phone_encrypted)
    return session.get_one(Contact, action.contact_id).phone


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
    """Text a code (or, for a replayed offline request, a question to reply YES to).

    No contact is written until the code matches: the pending action holds the number,
    encrypted. A number that texted STOP gets the same answer as any other, and no text.
    """
    replay = _replayed(session, org, key)
    if replay is not None:
        return replay
    language = language if languages.is_supported(language) else languages.DEFAULT
    network, occurrence = check_target(session, org, target, language)
    if by_reply and target.action == "prove":
        # A YES by text proves nothing to a screen the person has long left.
        raise ValidationError("action", "a number is proven only on the screen")
    e164 = textable(phone, asker.regions)
    now = utcnow()
    vault = vault_of(session)
    contact = contacts.find_contact(session, org.id, e164)
    since = now - dt.timedelta(hours=1)
    also = phone_line_texts(session, contact, since) if contact is not None else 0
    admit(session, org, e164, "code", asker, now, also_this_hour=also)
    silent = is_silent(contact)
    if by_reply and not silent:
        # The YES comes back as a text, whose conversation needs the contact.
        contact, _created = contacts.get_or_create_contact(session, org.id, e164, language=language)
    token = secrets.token_urlsafe(32)
    # A question confirmed by text carries a one-off reply number in place of a code.
    if by_reply and contact is not None and not silent:
        code = fresh_number(session, contact)
    else:
        code = f"{secrets.randbelow(1_000_000):06d}"
    action = pending_action(
        target,
        token=token,
        organisation_id=org.id,
        contact_id=contact.id if by_reply and contact is not None and not silent else None,
        phone_encrypted=vault.encrypt(e164),
        phone_index=vault.blind_index(e164),
        site_id=site_id,
        channel=asker.channel,
        language=language,
        code_hash=reply_hash(session, token, code),
        requester_index=vault.blind_index(f"address {asker.address}") if asker.address else None,
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
    if silent:
        return Started(token, masked(e164), by_reply)
    if by_reply:
        # Never the conversation's open question: only a YES with this number confirms it.
        send_question(session, action, network, occurrence, code)
    else:
        text = messages.code_text(org.name, code, language)
        # Urgent: a code held until 08:00 is no code at all.
        send_one(
            session,
            org.id,
            Draft(None, text, f"code:{token}", language, to=e164),
            kind="code",
            urgent=True,
        )
    return Started(token, masked(e164), by_reply)


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
    if now >= action.expires_at:
        return Checked("expired", action.action)
    # Every try is counted before it is compared, in one statement that also holds the row:
    # parallel guesses cannot all read "4 tries so far" and all be checked.
    tries = session.execute(
        update(PendingAction)
        .where(
            PendingAction.id == action.id,
            PendingAction.attempts < MAX_TRIES,
            PendingAction.completed_at.is_(None),
        )
        .values(attempts=PendingAction.attempts + 1)
        .returning(PendingAction.attempts)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    session.refresh(action)
    if tries is None:
        if action.completed_at is not None:  # the right code won a race with this one
            return Checked("already", action.action, network_id=action.network_id)
        return Checked("locked", action.action)
    # Codes are never rotated (they live minutes): one sent before a data-key change is
    # checked under the old key it was hashed with.
    # Typed on a keyboard set to Urdu, Punjabi or Gujarati, the code's digits are ۴۸۲ or ੪੮੨.
    typed = languages.ascii_digits(code.strip())
    if not matches(session, action, typed):
        left = MAX_TRIES - tries
        return Checked("wrong" if left else "locked", action.action, tries_left=left)
    if action.contact_id is None:
        # The code matched: only now does the number become a contact.
        number = _number_of(session, action)
        contact, _created = contacts.get_or_create_contact(
            session,
            action.organisation_id,
            number,
            language=action.language,
            channel=action.channel,
            site_id=action.site_id,
        )
        _adopt(session, action.organisation_id, number, contact)
    checked = complete(session, action, now)
    if action.channel == visits.CHANNEL and checked.status in ("done", "full"):
        # The number is proven at this kiosk: the rest of this person's visit needs no code.
        visits.open_visit(action, now)
    return checked


def _adopt(session: Session, organisation_id: int, number: str, contact: Contact) -> None:
    # The number is proven: its codes and texts so far become the contact's, so that erasing
    # the contact (FORGET ME, the console) erases them too, and the copies of the number go.
    indexes = vault_of(session).blind_indexes(number)
    for model, encrypted, index, sync in (
        (OutboundMessage, "to_encrypted", "to_index", False),
        # The pending action in hand is one of these rows: it must see its new contact.
        (PendingAction, "phone_encrypted", "phone_index", "fetch"),
    ):
        session.execute(
            update(model)
            .where(
                model.organisation_id == organisation_id,
                getattr(model, index).in_(indexes),
            )
            .values({"contact_id": contact.id, encrypted: None, index: None})
            .execution_options(synchronize_session=sync)
        )


def erase_for_contact(session: Session, contact: Contact) -> None:
    """Delete the requests and send counts held by the contact's number's blind index."""
    # Typed at a kiosk or on a web page before a code proved the number; the contact's own
    # codes and caller checks cascade with the contact.
    indexes = vault_of(session).blind_indexes(contact.phone)
    org = contact.organisation_id
    for model, index in (
        (PendingAction, PendingAction.phone_index),
        (SendRequest, SendRequest.number_index),
    ):
        session.execute(delete(model).where(model.organisation_id == org, index.in_(indexes)))
