"""Questions a member confirms by text: "Reply YES 4821".

Every question the service texts carries a one-off number, and only a YES with that number
confirms a question the member did not cause by their own last text (a request replayed from an
offline kiosk, or one made on another channel). So whoever typed someone else's number at a
kiosk, or forged a queued request, cannot make that person's next YES (meant for FORGET ME, say)
confirm something else. The number is kept only as a keyed hash, like a code.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import languages
from service.contacts.models import Contact
from service.content import queries
from service.content.models import Network
from service.crypto import vault_of
from service.db import utcnow
from service.messaging.replies import word
from service.organisations.models import Organisation
from service.outbox.operations import send_to_contact
from service.verification import messages
from service.verification.actions import Target, check_target, complete, pending_action
from service.verification.models import PendingAction

# A question confirmed by text stays open this long.
REPLY_LIFETIME = dt.timedelta(minutes=30)
# How long after it ran out a matching YES is still told so, rather than ignored.
EXPIRED_NOTICE = dt.timedelta(days=1)


def new_reply_number() -> str:
    """A one-off number for a "Reply YES 4821" question: 4 digits, never a list position."""
    return str(1000 + secrets.randbelow(9000))


def yes_words(number: str, language: str) -> str:
    """What the member must reply, in their language: "TAK 4821"."""
    return f"{word('yes', language)} {number}"


def reply_hash(session: Session, token: str, number: str) -> str:
    """The keyed hash a pending action keeps of its reply number (the same form as a code's)."""
    return vault_of(session).blind_index(f"code {token} {number}")


def matches(session: Session, action: PendingAction, number: str) -> bool:
    """True when number (a reply number or a code) is the one the action's hash was made of."""
    # Every key's index: one asked just before a data-key change still matches.
    candidates = vault_of(session).blind_indexes(f"code {action.token} {number}")
    return any([hmac.compare_digest(c, action.code_hash) for c in candidates])


def _waiting(session: Session, contact: Contact, since: dt.datetime) -> list[PendingAction]:
    return list(
        session.scalars(
            select(PendingAction).where(
                PendingAction.contact_id == contact.id,
                PendingAction.by_reply.is_(True),
                PendingAction.completed_at.is_(None),
                PendingAction.created_at > since,
            )
        )
    )


def fresh_number(session: Session, contact: Contact) -> str:
    """A reply number none of the contact's open questions uses, so YES 4821 is never ambiguous."""
    waiting = _waiting(session, contact, utcnow() - REPLY_LIFETIME)
    number = new_reply_number()
    for _ in range(10):
        if not any(matches(session, a, number) for a in waiting):
            break
        number = new_reply_number()
    return number


def question_text(
    session: Session,
    action: PendingAction,
    network: Network | None,
    occurrence: queries.Occurrence | None,
    number: str,
) -> str:
    """The text that asks the contact to confirm a pending action with YES and its number."""
    yes = yes_words(number, action.language)
    if action.action == "join":
        assert network is not None
        view = next(
            v
            for v in queries.networks(session, network.organisation_id, action.language)
            if v.id == network.id
        )
        return messages.reply_to_join(view, action.language, yes, action.channel)
    if action.action == "rsvp":
        assert occurrence is not None
        return messages.reply_to_rsvp(occurrence, action.language, yes)
    return messages.reply_to_callback(action.language, yes)


def send_question(
    session: Session,
    action: PendingAction,
    network: Network | None,
    occurrence: queries.Occurrence | None,
    number: str,
) -> None:
    """Text the action's contact the question they confirm with YES and number."""
    assert action.contact_id is not None
    send_to_contact(
        session,
        action.contact_id,
        action.organisation_id,
        question_text(session, action, network, occurrence, number),
        kind="code",
        dedupe_key=f"code:{action.token}",
        language=action.language,
        urgent=True,
    )


def ask_by_text(
    session: Session,
    org: Organisation,
    contact: Contact,
    target: Target,
    *,
    channel: str,
    language: str | None = None,
    site_id: int | None = None,
) -> str:
    """Text the contact a question to confirm target; the one-off number their YES must carry.

    Nothing is done until the member replies YES with that number; a bare YES never confirms it.
    """
    language = language if language and languages.is_supported(language) else contact.language
    network, occurrence = check_target(session, org, target, language)
    now = utcnow()
    number = fresh_number(session, contact)
    token = secrets.token_urlsafe(32)
    action = pending_action(
        target,
        token=token,
        organisation_id=org.id,
        contact_id=contact.id,
        site_id=site_id,
        channel=channel,
        language=language,
        code_hash=reply_hash(session, token, number),
        by_reply=True,
        created_at=now,
        expires_at=now + REPLY_LIFETIME,
    )
    session.add(action)
    session.flush()
    send_question(session, action, network, occurrence, number)
    return number


def confirm_by_reply(session: Session, contact: Contact, number: str) -> str | None:
    """Do the contact's open question that showed this number; the answer to text, else None."""
    now = utcnow()
    for action in _waiting(session, contact, now - EXPIRED_NOTICE):
        if not matches(session, action, number):
            continue
        if now >= action.expires_at:
            return messages.confirmed_by_reply("expired", contact.language)
        checked = complete(session, action, now)
        return messages.confirmed_by_reply(checked.status, contact.language)
    return None


def awaiting_reply(session: Session, contact: Contact) -> bool:
    """True when a question from another channel waits for this contact's YES and its number."""
    waiting = _waiting(session, contact, utcnow() - REPLY_LIFETIME)
    return any(a.expires_at > utcnow() for a in waiting)
