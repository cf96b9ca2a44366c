"""One inbound SMS: idempotent on MessageSid, rate-limited per number, logged without bodies."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass

from flask_babel import force_locale
from sqlalchemy import Insert, bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from service.contacts import operations as contacts
from service.contacts.models import Contact
from service.content import queries
from service.crypto import Vault, vault_of
from service.db import Prepared, begin_writes, in_write_lock
from service.errors import ContactGone
from service.keywords import Parsed
from service.messaging import crisis, replies
from service.organisations.models import Organisation
from service.organisations.operations import confirm_organisation, organisation_row
from service.reach.operations import count_person, month_of
from service.sms import finish, lookup, newcomer, reading
from service.sms.conversation import Conversation
from service.sms.models import ConversationState, InboundMessage
from service.sms.surveys import STATE as SURVEY_STATE
from service.speakup import sms as speakup_sms

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Inbound:
    """The parts of Twilio's webhook the service uses."""

    message_sid: str
    sender: str  # E.164
    body: str
    # The number texted (E.164). Its organisation, read again with the sender, must be the one
    # the text is handled for (see lookup.contact_and_state).
    to: str
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
    try:
        return _handle_inbound(
            session, org, message, now=now, rate_limit=rate_limit, keep_bodies=keep_bodies
        )
    except ContactGone as gone:
        # Its sender's contact was erased (FORGET ME on another text, the console) after this
        # text read it, and before its first write locked it. Nothing of that answer stays: the
        # text is answered again, as it would be a moment later, from a number now unknown.
        session.rollback()
        # Nor the contact as read: SQLite may give the contact made now the same id.
        stale = session.identity_map.get(identity_key(Contact, gone.contact_id))
        if stale is not None:
            session.expunge(stale)
        return _handle_inbound(
            session, org, message, now=now, rate_limit=rate_limit, keep_bodies=keep_bodies
        )


def _handle_inbound(
    session: Session,
    org: Organisation,
    message: Inbound,
    *,
    now: dt.datetime,
    rate_limit: int,
    keep_bodies: bool,
) -> Outcome:
    vault = vault_of(session)
    parsed = reading.read(message.body, queries.network_keywords(session, org.id))
    if parsed is None:
        # No contact is read: the organisation is confirmed on its own (a rare text).
        confirm_organisation(org, message.to, organisation_row(session, message.to))
        begin_writes(session)
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
            said_in = found.language or org.default_language
            texts = [replies.crisis_in(session, org.id, said_in), *texts]
        return Outcome(texts, "speakup")
    reads_only = parsed.kind in READS_ONLY and not parsed.guessed
    # JOIN of a sensitive group writes only its question; YES to such a question, the consent.
    answers_first = reads_only or _asks_consent(session, org, parsed) or _may_consent(parsed)
    postgresql = session.get_bind().dialect.name == "postgresql"
    locked: set[int] | None = None  # PostgreSQL: the sender's rows this text holds
    if not answers_first:
        # What it writes depends on what it reads: read it all under the write lock (SQLite's,
        # or on PostgreSQL the sender's own row, which every write about them locks first).
        begin_writes(session)
        if postgresql:
            locked = lookup.lock_sender(session, org, message.sender)
    known, seen = lookup.contact_and_state(
        session, org, message.sender, message.message_sid, now, to=message.to
    )
    if locked is not None and known is not None and known.contact.id not in locked:
        # Made (by the same number's first text) between the lock and the read: lock it now.
        known, seen = _locked_again(session, org, message, now, known)
    if seen:
        # A retry, perhaps from a number erased since: the first answer, and nothing made.
        return _duplicate(session, message, vault)
    # This text is not yet counted in recent: it is written with its answer.
    if (
        answers_first
        and known is not None
        and not _in_survey(known.state)
        and known.recent < rate_limit
        and not known.welcome_owed
        and (reads_only or parsed.kind == "join" or _consents(known, parsed))
    ):
        answered = _answer_reading(
            session, org, message, known, parsed, now=now, keep_bodies=keep_bodies
        )
        if answered is not None:
            return answered
        # A YES whose contact changed since it was read (a concurrent text or call): read
        # again, and answered as a text that writes as it reads.
        session.expunge(known.contact)
        known, seen = lookup.contact_and_state(
            session, org, message.sender, message.message_sid, now, to=message.to
        )
        if seen:
            return _duplicate(session, message, vault)
    if reads_only and known is None and rate_limit >= 1:
        first = _answer_first_reading(
            session, org, message, parsed, now=now, keep_bodies=keep_bodies
        )
        if first is not None:
            return first
        # A text from the same number made the contact first: answered as theirs is, below.
    if answers_first and not in_write_lock(session):
        begin_writes(session)
        if known is not None:
            # Again, now nobody can change it. (A new number's race is settled by its insert.)
            # Not the instances the first read attached: the session would give them back as
            # read then, and what another text committed since (a NO to FORGET ME) not count.
            _let_go(session, known)
            known, seen = lookup.contact_and_state(
                session, org, message.sender, message.message_sid, now, to=message.to
            )
            if seen:
                return _duplicate(session, message, vault)
    elif answers_first and known is not None and postgresql and known.recent < rate_limit:
        # A text not answered as read (a YES to no consent question, a survey's answer)
        # decides from what it reads: on PostgreSQL the contact's row is locked first, as every
        # write about them locks it, and the member read again, so what another text committed
        # in between (a NO) decides it. Not one over the rate limit: it is only logged.
        known, seen = _locked_again(session, org, message, now, known)
        if seen:
            return _duplicate(session, message, vault)
    if known is not None:
        contact, created, state = known.contact, False, known.state
    else:
        made = lookup.new_contact(session, org.id, message.sender)
        if made is not None:
            contact, created, state = made, True, None
        else:
            # A text from the same number made it first: read it, now that it is there
            # (on PostgreSQL its row locked first, as every text that writes as it reads).
            known, seen = lookup.contact_and_state(
                session, org, message.sender, message.message_sid, now, to=message.to
            )
            if postgresql and known is not None and not seen:
                known, seen = _locked_again(session, org, message, now, known)
            if seen:
                return _duplicate(session, message, vault)
            if known is not None:
                contact, created, state = known.contact, False, known.state
            else:  # made and erased since: the contacts' own operation settles it
                contact, created = contacts.create_contact(session, org.id, message.sender)
                state = None
    count_person(session, contact, channel="sms", created=created, now=now)
    record = _record(org, contact, message, now, vault, keep_bodies)

    # A new number has only this text; a returning one's history came with its contact.
    recent, welcome_owed = (1, False) if known is None else (known.recent + 1, known.welcome_owed)
    if recent > rate_limit:
        log.info("sms %s: over the per-number limit, not answered", message.message_sid)
        return _written(session, message, vault, record, "rate_limited", [])

    # A first text that was a crisis got the crisis line alone: the welcome waits for the next.
    first_text = created or welcome_owed
    conversation = Conversation(
        session, org, contact, now, state=state, state_known=known is not None or created
    )
    claimed: list[int | None] = []
    # FORGET ME's YES: the erasure must find this text's row, to have Twilio delete it too.
    conversation.before_erasure = lambda: claimed.append(_claim(session, dict(record)))
    command, texts = conversation.answer(message.body, first_text=first_text, parsed=parsed)
    if first_text and command not in {"opt_out", "forget_me", "crisis"}:
        with force_locale(contact.language):
            welcome = replies.welcome(org.name, contact.language)
        # "Hello" from a new number (or one that was just erased by FORGET ME) gets the welcome
        # alone: it already says what to text, and a second "did not understand" is noise.
        texts = [welcome] if command in {"unknown", "empty"} else [welcome, *texts]
    conversation.save_state()
    if command == "survey":
        # A survey answer is never kept beside the number that sent it, whatever the setting.
        record["body_encrypted"] = None
    if claimed:
        # Erased by FORGET ME: the row is kept (a retry must still be recognised), unlinked
        # and emptied by the erasure; only the answer is added.
        if claimed[0] is None:
            session.rollback()
            return _duplicate(session, message, vault)
        replies_encrypted = vault.encrypt(json.dumps(texts, ensure_ascii=False))
        session.connection().execute(
            _ANSWERED, {"record_id": claimed[0], "command": command, "replies": replies_encrypted}
        )
        log.info("sms %s: %s, %d replies", message.message_sid, command, len(texts))
        return Outcome(texts, command)
    return _written(session, message, vault, record, command, texts)


def _written(
    session: Session,
    message: Inbound,
    vault: Vault,
    record: dict,
    command: str,
    texts: list[str],
) -> Outcome:
    """Write the inbound row once, answered, last; a retry that wrote it first wins.

    One statement where a pending row claimed first and finished last took two. A concurrent
    retry of the same MessageSid waits on this text's first row lock (the contact's, taken
    first by every text) or on its new contact's unique index, then finds the MessageSid seen
    or, at the latest, loses here: its whole transaction is rolled back and the stored answer
    given, so it changes nothing.
    """
    record.update(
        command=command, replies_encrypted=vault.encrypt(json.dumps(texts, ensure_ascii=False))
    )
    if _claim(session, record) is None:
        session.rollback()
        return _duplicate(session, message, vault)
    if command != "rate_limited":
        log.info("sms %s: %s, %d replies", message.message_sid, command, len(texts))
    return Outcome(texts, command)


# Commands whose only writes are the member's own conversation state, last-seen time, reach
# tallies (atomic upserts) and the inbound row: answered before the write lock is taken. Not an
# unknown word, which may be a survey's keyword, nor any text while a survey is answered.
READS_ONLY = frozenset({"networks", "about", "events", "talk", "help", "more", "pick"})
# Of those, the ones whose commit need not wait for the disk (service.sms.finish): not a pick,
# which may answer "when is a good time to call?" and so change a callback staff will act on.
LOSABLE = READS_ONLY - {"pick"}


def _locked_again(
    session: Session, org: Organisation, message: Inbound, now: dt.datetime, known: lookup.Found
) -> tuple[lookup.Found | None, bool]:
    """PostgreSQL: the contact read, locked and read again (ContactGone: erased since)."""
    if _LOCK_CONTACT.first(session, {"contact_id": known.contact.id}) is None:
        raise ContactGone(known.contact.id)
    _let_go(session, known)
    return lookup.contact_and_state(
        session, org, message.sender, message.message_sid, now, to=message.to
    )


def _let_go(session: Session, known: lookup.Found) -> None:
    """Take what a read attached out of the session, so that reading again attaches it anew."""
    for instance in (known.contact, known.state):
        if instance is not None and instance in session:
            session.expunge(instance)


def _in_survey(state: ConversationState | None) -> bool:
    return state is not None and state.list_kind == SURVEY_STATE


def _asks_consent(session: Session, org: Organisation, parsed: Parsed) -> bool:
    """JOIN of one sensitive group by its keyword: the answer is its consent question alone."""
    if parsed.kind != "join" or parsed.guessed or parsed.also or parsed.network is None:
        return False
    # Every network's keywords in every language, whatever the language they are shown in.
    networks = queries.networks(session, org.id, org.default_language)
    return any(parsed.network in n.keywords and n.sensitive for n in networks)


def _may_consent(parsed: Parsed) -> bool:
    return parsed.kind == "yes" and not parsed.guessed


def _consents(known: lookup.Found, parsed: Parsed) -> bool:
    """A YES that answers this member's own open consent question, from a member not stopped.

    Its writes are the membership with its consent (unique: a concurrent YES adds nothing),
    its tally and discretion (compare-and-set) and the member's own rows. Not a YES from a
    member who stopped our texts: that one starts them again, which must not undo a STOP
    that lands meanwhile, so it is read under the write lock.
    """
    state = known.state
    if state is None or state.pending_kind != "consent" or known.contact.opted_out_at is not None:
        return False
    nonce = (state.pending_payload or {}).get("nonce")
    return parsed.number is None or str(parsed.number) == str(nonce)


def _answer_reading(
    session: Session,
    org: Organisation,
    message: Inbound,
    known: lookup.Found,
    parsed: Parsed,
    *,
    now: dt.datetime,
    keep_bodies: bool,
) -> Outcome | None:
    """A returning member's reading command: answered first, then written in one short lock.

    Also a consent question and its YES: their writes are the member's own rows and a
    membership that its unique key makes once, so a read before the lock decides nothing that
    a concurrent text could make wrong. On SQLite the lock is taken at the first write.
    None: a YES whose contact changed before its one statement (service.sms.finish), which
    wrote nothing.
    """
    vault = vault_of(session)
    contact = known.contact
    # PostgreSQL, and counted this month already (count_person would only mark them seen): the
    # last writes in one statement, a YES's join with them (service.sms.finish).
    one_statement = (
        session.get_bind().dialect.name == "postgresql"
        and contact in session
        and month_of(org, contact.last_seen_at) >= month_of(org, now)
    )
    # A reading command changes no membership: the networks read with the contact stand.
    conversation = Conversation(
        session,
        org,
        contact,
        now,
        state=known.state,
        state_known=True,
        network_ids=known.network_ids if parsed.kind in READS_ONLY else None,
    )
    conversation.after_contact_locked = []
    if one_statement and parsed.kind == "yes" and known.version is not None:
        conversation.consent_as_read = (known.network_ids, known.version)
    # Its state changes wait for the writes at the end instead of each read flushing them.
    with session.no_autoflush:
        command, texts = conversation.answer(message.body, parsed=parsed)
    # The inbound row is written whole, already answered: a concurrent retry of the same
    # MessageSid that claimed it first wins, and this answer is dropped for the stored one.
    record = _record(org, contact, message, now, vault, keep_bodies)
    record.update(
        command=command, replies_encrypted=vault.encrypt(json.dumps(texts, ensure_ascii=False))
    )
    # After the encryption: SQLite's one write lock covers the writes alone, and the other web
    # process waits on it (in SQLite's busy handler, which sleeps 1, 2, 5, 10 ms…) less often.
    begin_writes(session)
    if one_statement and contact in session:
        try:
            claimed = finish.write(
                session,
                contact.id,
                now,
                conversation.state_write(),
                record,
                durable=command not in LOSABLE,
                consent=conversation.consent,
            )
        except finish.ContactChanged:
            return None  # nothing written: the caller answers it again
        set_committed_value(contact, "last_seen_at", now)
        for write in conversation.after_contact_locked:
            write()
        if conversation.consent is not None and "memberships" in contact.__dict__:
            session.expire(contact, ["memberships"])  # as contacts.join_network does
    else:
        if conversation.consent is not None:
            raise RuntimeError("a consent answered as read must be written in one statement")
        count_person(session, contact, channel="sms", now=now)
        for write in conversation.after_contact_locked:
            write()
        conversation.save_state()
        claimed = _claim(session, record)
    if claimed is None:
        session.rollback()
        return _duplicate(session, message, vault)
    log.info("sms %s: %s, %d replies", message.message_sid, command, len(texts))
    return Outcome(texts, command)


def _answer_first_reading(
    session: Session,
    org: Organisation,
    message: Inbound,
    parsed: Parsed,
    *,
    now: dt.datetime,
    keep_bodies: bool,
) -> Outcome | None:
    """A new number's reading command: answered first, then its rows written in one short lock.

    None when a concurrent text from the same number made the contact meanwhile: nothing was
    written, and the caller answers this text as that contact's.
    """
    vault = vault_of(session)
    # The contact as it will be made: the answer may change its language (a first text in
    # Polish), never anything else; it is not in the session until it is written.
    contact = Contact(
        organisation_id=org.id,
        language="en",
        discreet=False,
        opted_out_at=None,
        unusable_at=None,
        site_id=None,
    )
    conversation = Conversation(
        session, org, contact, now, state=None, state_known=True, network_ids=[]
    )
    with session.no_autoflush:
        command, texts = conversation.answer(message.body, first_text=True, parsed=parsed)
    if command not in {"opt_out", "forget_me", "crisis"}:
        with force_locale(contact.language):
            welcome = replies.welcome(org.name, contact.language)
        texts = [welcome] if command in {"unknown", "empty"} else [welcome, *texts]
    record = {
        "message_sid": message.message_sid,
        "organisation_id": org.id,
        "received_at": now,
        "command": command,
        "segments": message.segments,
        "replies_encrypted": vault.encrypt(json.dumps(texts, ensure_ascii=False)),
        # A survey answer is never kept beside the number that sent it, whatever the setting.
        "body_encrypted": vault.encrypt(message.body)
        if keep_bodies and command != "survey"
        else None,
    }
    contact.phone_encrypted = vault.encrypt(message.sender)
    contact.phone_index = vault.blind_index(message.sender)
    begin_writes(session)
    written = newcomer.write(
        session,
        org,
        phone_encrypted=contact.phone_encrypted,
        phone_index=contact.phone_index,
        language=contact.language,
        now=now,
        record=record,
    )
    if written is None:
        # Nothing of this answer may stay: TALK counted a support request, which the text
        # answered again as the contact's (or a retry found already answered) would count twice.
        session.rollback()
        return None
    if written.record_id is None:
        session.rollback()
        return _duplicate(session, message, vault)
    state = conversation.state
    if state.list_kind or state.list_items or state.pending_kind:
        # A list to pick from (GROUPS): kept for the next text, now the contact is there.
        contact.id = state.contact_id = written.contact_id
        contact.created_at = contact.last_seen_at = now
        contact.network_count = 0
        make_transient_to_detached(contact)
        session.add(contact)
        conversation.save_state()
    log.info("sms %s: %s, %d replies", message.message_sid, command, len(texts))
    return Outcome(texts, command)


def _record(
    org: Organisation,
    contact: Contact,
    message: Inbound,
    now: dt.datetime,
    vault: Vault,
    keep_bodies: bool,
) -> dict:
    return {
        "message_sid": message.message_sid,
        "organisation_id": org.id,
        "contact_id": contact.id,
        "received_at": now,
        "command": "pending",
        "segments": message.segments,
        "body_encrypted": vault.encrypt(message.body) if keep_bodies else None,
    }


def _claim(session: Session, values: dict) -> int | None:
    """Insert the inbound row; its id, or None when the MessageSid is already there."""
    # The session's pending writes first, as the ORM's autoflush did (the same order of row
    # locks), then Core on its connection: the ORM's insert machinery costs more than the row.
    session.flush()
    row = _CLAIMS[session.get_bind().dialect.name].first(session, values)
    return None if row is None else row[0]


def _claim_statement(insert) -> Insert:
    table = InboundMessage.__table__
    return (
        insert(table).on_conflict_do_nothing(index_elements=["message_sid"]).returning(table.c.id)
    )


# Built once: a retried MessageSid inserts nothing and returns no id.
_CLAIMS = {
    "sqlite": Prepared(_claim_statement(sqlite_insert)),
    "postgresql": Prepared(_claim_statement(postgresql_insert)),
}


# PostgreSQL: the contact's row locked as an UPDATE of its other columns locks it (NO KEY).
_LOCK_CONTACT = Prepared(
    select(Contact.__table__.c.id)
    .where(Contact.__table__.c.id == bindparam("contact_id"))
    .with_for_update(key_share=True)
)

_inbound = InboundMessage.__table__
_ANSWERED = (
    update(_inbound)
    .where(_inbound.c.id == bindparam("record_id"))
    .values(command=bindparam("command"), replies_encrypted=bindparam("replies"))
)


def _duplicate(session: Session, message: Inbound, vault: Vault) -> Outcome:
    seen = _already_handled(session, message.message_sid)
    if seen is None:
        raise RuntimeError("a claimed MessageSid has no row")
    return Outcome(_stored_replies(seen, vault), seen.command, duplicate=True)


def _already_handled(session: Session, message_sid: str) -> InboundMessage | None:
    return session.scalar(select(InboundMessage).where(InboundMessage.message_sid == message_sid))


def _stored_replies(record: InboundMessage, vault: Vault) -> list[str]:
    if record.replies_encrypted is None:
        return []
    return json.loads(vault.decrypt(record.replies_encrypted))
