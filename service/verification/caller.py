"""Prove a phone caller holds the phone their caller ID names: a code texted during the call.

Twilio's `From` can be spoofed, so the phone line treats every caller as a stranger until a
code sent to that number comes back on the same call. Whatever the number's history (a
member, opted out, never seen), the caller hears the same answers, so the line is no oracle.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from collections.abc import Sequence

import phonenumbers
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from service.contacts import operations as contacts
from service.contacts.models import Contact
from service.contacts.phone import normalise
from service.crypto import vault_of
from service.errors import InvalidPhoneNumber
from service.organisations.models import Organisation
from service.outbox.operations import send_to_contact
from service.verification import messages
from service.verification.actions import Target
from service.verification.by_reply import ask_by_text
from service.verification.models import CallerCheck
from service.verification.operations import MAX_TEXTS_PER_HOUR, texts_this_hour

CODE_LIFETIME = dt.timedelta(minutes=10)
MAX_TRIES = 5
SENT, TOO_MANY, CANNOT_TEXT = "sent", "too_many", "cannot_text"
RIGHT, WRONG, LOCKED, EXPIRED = "right", "wrong", "locked", "expired"


def _reachable_contact(
    session: Session,
    org: Organisation,
    phone: str,
    *,
    language: str,
    countries: frozenset[int],
    now: dt.datetime,
) -> tuple[str, Contact | None]:
    """The contact to text for a caller's number, or why not ("too_many", "cannot_text")."""
    try:
        e164 = normalise(phone)
    except InvalidPhoneNumber:
        return CANNOT_TEXT, None
    if phonenumbers.parse(e164, None).country_code not in countries:
        return CANNOT_TEXT, None
    contact, _created = contacts.get_or_create_contact(
        session, org.id, e164, language=language, channel="voice"
    )
    if texts_this_hour(session, contact, now) >= MAX_TEXTS_PER_HOUR:
        return TOO_MANY, None
    return SENT, contact


def _textable(contact: Contact) -> bool:
    # A number that stopped our texts, or cannot take them, is answered "sent" like any other
    # and sent nothing: telling the caller would say the number is known to us.
    return contact.opted_out_at is None and contact.unusable_at is None


def ask_caller_by_text(
    session: Session,
    org: Organisation,
    phone: str,
    target: Target,
    *,
    language: str,
    countries: frozenset[int],
    now: dt.datetime,
) -> str:
    """Text the calling number a question ("Reply YES 4821") whose reply does target.

    Nothing is done on the call: only the phone's owner, replying, can confirm. The answer is
    "sent", "too_many" or "cannot_text", the same for every number in the same situation.
    """
    outcome, contact = _reachable_contact(
        session, org, phone, language=language, countries=countries, now=now
    )
    if contact is not None and _textable(contact):
        # In the language the phone's owner chose, not the caller's: they may differ.
        ask_by_text(session, org, contact, target, channel="voice", language=contact.language)
    return outcome


def send_caller_code(
    session: Session,
    org: Organisation,
    phone: str,
    *,
    call_sid: str,
    language: str,
    countries: frozenset[int],
    now: dt.datetime,
) -> str:
    """Text a code for this call to the calling number: "sent", "too_many" or "cannot_text"."""
    outcome, contact = _reachable_contact(
        session, org, phone, language=language, countries=countries, now=now
    )
    if contact is None:
        return outcome
    code = f"{secrets.randbelow(1_000_000):06d}"
    check = CallerCheck(
        organisation_id=org.id,
        contact_id=contact.id,
        call_sid=call_sid,
        code_hash="",
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    session.add(check)
    session.flush()
    check.code_hash = _code_hash(session, check.id, code)
    if _textable(contact):
        send_to_contact(
            session,
            contact.id,
            org.id,
            # In the language the number's owner chose, not the caller's: they may differ.
            messages.caller_code_text(org.name, code, contact.language),
            kind="code",
            dedupe_key=f"caller-code:{check.id}",
            language=contact.language,
            urgent=True,  # the caller is waiting on the line, quiet hours or not
        )
    return SENT


def _code_hash(session: Session, check_id: int, code: str) -> str:
    return vault_of(session).blind_index(f"caller code {check_id} {code}")


def check_caller_code(
    session: Session, org: Organisation, phone: str, *, call_sid: str, code: str, now: dt.datetime
) -> str:
    """Compare a code keyed in on the call: "right", "wrong", "locked" or "expired"."""
    contact = contacts.find_contact(session, org.id, phone)
    if contact is None:
        return EXPIRED
    check = session.scalar(
        select(CallerCheck)
        .where(
            CallerCheck.organisation_id == org.id,
            CallerCheck.contact_id == contact.id,
            CallerCheck.call_sid == call_sid,
        )
        .order_by(CallerCheck.id.desc())
        .limit(1)
    )
    if check is None or check.verified_at is not None or now >= check.expires_at:
        return EXPIRED
    # One statement claims the try, so parallel guesses cannot all slip under the limit.
    tries = session.execute(
        update(CallerCheck)
        .where(CallerCheck.id == check.id, CallerCheck.attempts < MAX_TRIES)
        .values(attempts=CallerCheck.attempts + 1)
        .returning(CallerCheck.attempts)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if tries is None:
        return LOCKED
    candidates = vault_of(session).blind_indexes(f"caller code {check.id} {code.strip()}")
    if any([hmac.compare_digest(c, check.code_hash) for c in candidates]):
        session.execute(
            update(CallerCheck)
            .where(CallerCheck.id == check.id)
            .values(verified_at=now)
            .execution_options(synchronize_session=False)
        )
        session.expire(check)
        return RIGHT
    return WRONG if tries < MAX_TRIES else LOCKED


def verified_caller(
    session: Session,
    org: Organisation,
    phone: str,
    *,
    call_sid: str,
    proved: Sequence[int] | None = None,
) -> Contact | None:
    """The caller's contact, once a code texted to their number came back on this call.

    proved: PROVED_ON_CALL's contact ids, where the caller read them already (with other things).
    """
    # The call first, by its indexed SID: most calls never prove anything, and then neither the
    # number's blind indexes nor its contact need be read on each step.
    if proved is None:
        proved = session.scalars(PROVED_ON_CALL, {"org": org.id, "call_sid": call_sid}).all()
    if not proved:
        return None
    contact = contacts.find_contact(session, org.id, phone)
    return contact if contact is not None and contact.id in proved else None


PROVED_ON_CALL = select(CallerCheck.contact_id).where(
    CallerCheck.organisation_id == bindparam("org"),
    CallerCheck.call_sid == bindparam("call_sid"),
    CallerCheck.verified_at.is_not(None),
)
