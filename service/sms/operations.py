"""One inbound SMS: idempotent on MessageSid, rate-limited per number, logged without bodies."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass

from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.contacts import operations as contacts
from service.contacts.models import Contact
from service.content import queries
from service.crypto import Vault, vault_of
from service.messaging import crisis, replies
from service.organisations.models import Organisation
from service.sms.conversation import Conversation
from service.sms.models import InboundMessage
from service.speakup import sms as speakup_sms

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Inbound:
    """The parts of Twilio's webhook the service uses."""

    message_sid: str
    sender: str  # E.164
    body: str
    segments: int = 1


@dataclass(frozen=True)
class Outcome:
    """What to answer: reply texts, and whether this was a retry of a message already handled."""

    replies: list[str]
    command: str
    duplicate: bool = False


def handle_inbound(
    session: Session,
    org: Organisation,
    message: Inbound,
    *,
    now: dt.datetime,
    rate_limit: int,
    keep_bodies: bool = False,
) -> Outcome:
    """Answer one inbound text; a retried MessageSid gets the first answer and changes nothing."""
    vault = vault_of(session)
    if speakup_sms.is_speak_up(message.body):
        # Anonymous: no contact, no inbound log row, no outbox row, and no log line at all.
        texts = speakup_sms.answer(
            session,
            org,
            message_sid=message.message_sid,
            sender=message.sender,
            body=message.body,
            now=now,
        )
        found = crisis.detect(message.body)
        if found is not None:
            # The concern is raised and its code kept, but the crisis line comes first.
            texts = [_crisis_line(session, org, found.language or org.default_language), *texts]
        return Outcome(texts, "speakup")
    seen = _already_handled(session, message.message_sid)
    if seen is not None:
        return Outcome(_stored_replies(seen, vault), seen.command, duplicate=True)

    contact, created = contacts.get_or_create_contact(session, org.id, message.sender)
    # Claim the MessageSid: a concurrent retry blocks on this insert until the first commits,
    # then fails on the unique key and answers from the stored row instead.
    record = InboundMessage(
        message_sid=message.message_sid,
        organisation_id=org.id,
        contact_id=contact.id,
        received_at=now,
        command="pending",
        segments=message.segments,
        body_encrypted=vault.encrypt(message.body) if keep_bodies else None,
    )
    try:
        with session.begin_nested():
            session.add(record)
    except IntegrityError:
        seen = _already_handled(session, message.message_sid)
        if seen is None:
            raise
        return Outcome(_stored_replies(seen, vault), seen.command, duplicate=True)

    if _recent_count(session, contact, now) > rate_limit:
        log.info("sms %s: over the per-number limit, not answered", message.message_sid)
        record.command = "rate_limited"
        record.replies_encrypted = vault.encrypt(json.dumps([]))
        return Outcome([], "rate_limited")

    # A first text that was a crisis got the crisis line alone: the welcome waits for the next.
    first_text = created or _only_crisis_before(session, contact)
    conversation = Conversation(session, org, contact, now)
    command, texts = conversation.answer(message.body, first_text=first_text)
    if first_text and command not in {"opt_out", "forget_me", "crisis"}:
        with force_locale(contact.language):
            welcome = replies.welcome(org.name, contact.language)
        # "Hello" from a new number (or one that was just erased by FORGET ME) gets the welcome
        # alone: it already says what to text, and a second "did not understand" is noise.
        texts = [welcome] if command in {"unknown", "empty"} else [welcome, *texts]
    record.command = command
    if contact not in session:  # erased by FORGET ME: keep the row, drop the link
        record.contact_id = None
    record.replies_encrypted = vault.encrypt(json.dumps(texts, ensure_ascii=False))
    log.info("sms %s: %s, %d replies", message.message_sid, command, len(texts))
    return Outcome(texts, command)


def _crisis_line(session: Session, org: Organisation, language: str) -> str:
    lines = queries.support_lines(session, org.id, language)
    with force_locale(language):
        return replies.crisis(next((line for line in lines if line.crisis), None))


def _only_crisis_before(session: Session, contact: Contact) -> bool:
    """Whether every text this contact sent before was answered with the crisis line alone."""
    commands = set(
        session.scalars(
            select(InboundMessage.command)
            .where(InboundMessage.contact_id == contact.id, InboundMessage.command != "pending")
            .distinct()
        )
    )
    return commands == {"crisis"}


def _already_handled(session: Session, message_sid: str) -> InboundMessage | None:
    return session.scalar(select(InboundMessage).where(InboundMessage.message_sid == message_sid))


def _stored_replies(record: InboundMessage, vault: Vault) -> list[str]:
    if record.replies_encrypted is None:
        return []
    return json.loads(vault.decrypt(record.replies_encrypted))


def _recent_count(session: Session, contact: Contact, now: dt.datetime) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                InboundMessage.contact_id == contact.id,
                InboundMessage.received_at > now - dt.timedelta(minutes=1),
            )
        )
        or 0
    )
