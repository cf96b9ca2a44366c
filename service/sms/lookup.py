"""Who sent a text: the sender's contact, conversation state and recent history in one query.

The same query reads the organisation behind the number the text was sent to, which confirms
the one the request remembered (service.organisations.operations.remembered_organisation).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import (
    Exists,
    Insert,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from service.contacts.models import Contact, Membership
from service.crypto import vault_of
from service.db import Prepared, RowVersion, attached
from service.organisations.models import Organisation, OrganisationNumber
from service.organisations.operations import confirm_organisation
from service.sms.models import ConversationState, InboundMessage


@dataclass(frozen=True)
class Found:
    """A returning sender: their contact, conversation state and the texts they sent before."""

    contact: Contact
    state: ConversationState | None
    recent: int  # texts in the last minute before this one
    # Every earlier text (one at least) was answered with the crisis line alone, so the
    # welcome a first text gets is still owed.
    welcome_owed: bool
    network_ids: list[int]  # the networks the contact belongs to, as read with it
    # The contact row's version as read (PostgreSQL; None on SQLite): a write that relies on
    # what was read checks it (service.sms.finish). Every membership change updates the row.
    version: str | None = None


_CONTACT = Contact.__table__
_STATE = ConversationState.__table__
_INBOUND = InboundMessage.__table__
_MEMBERSHIP = Membership.__table__
_ORGANISATION = Organisation.__table__
_NUMBER = OrganisationNumber.__table__
# Each table's columns under a prefix of their own (both have a contact's id, say).
_CONTACT_COLUMNS = tuple((f"c_{c.key}", c.key) for c in _CONTACT.c)
_STATE_COLUMNS = tuple((f"s_{c.key}", c.key) for c in _STATE.c)
_ORGANISATION_COLUMNS = tuple((f"o_{c.key}", c.key) for c in _ORGANISATION.c)


def _statement(keys: int) -> Select:
    seen = select(_INBOUND.c.id).where(_INBOUND.c.message_sid == bindparam("message_sid")).exists()
    mine = _INBOUND.c.contact_id == _CONTACT.c.id

    def answered(*condition) -> Exists:
        return select(_INBOUND.c.id).where(mine, *condition).exists()

    recent = (
        select(func.count())
        .where(mine, _INBOUND.c.received_at > bindparam("since"))
        .scalar_subquery()
    )
    # "3,7": EVENTS lists the member's networks' events, and this saves it a statement.
    networks = (
        select(
            func.aggregate_strings(cast(_MEMBERSHIP.c.network_id, String), literal_column("','"))
        )
        .where(_MEMBERSHIP.c.contact_id == _CONTACT.c.id)
        .scalar_subquery()
    )
    # From one row, so a new number still learns whether the MessageSid was seen.
    one = select(literal(1).label("one")).subquery("one")
    return (
        select(
            *(_CONTACT.c[key].label(label) for label, key in _CONTACT_COLUMNS),
            *(_STATE.c[key].label(label) for label, key in _STATE_COLUMNS),
            seen.label("seen"),
            recent.label("recent"),
            # Asked in this order on purpose: a member's first text answered otherwise ends
            # it, where looking for a crisis text first read every text they ever sent (1,099
            # pages for one member with 1,090 texts, each text of theirs).
            case(
                (
                    answered(_INBOUND.c.command != "crisis", _INBOUND.c.command != "pending"),
                    false(),
                ),
                else_=answered(_INBOUND.c.command == "crisis"),
            ).label("welcome_owed"),
            networks.label("network_ids"),
            RowVersion(_CONTACT).label("version"),
            *(_ORGANISATION.c[key].label(label) for label, key in _ORGANISATION_COLUMNS),
        )
        .select_from(one)
        # The organisation behind the number texted: on its unique index, then its key.
        .outerjoin(_NUMBER, _NUMBER.c.e164 == bindparam("to"))
        .outerjoin(_ORGANISATION, _ORGANISATION.c.id == _NUMBER.c.organisation_id)
        .outerjoin(
            _CONTACT,
            and_(
                _CONTACT.c.organisation_id == bindparam("organisation_id"),
                # One parameter per key (mid-rotation a number has an index under each).
                _CONTACT.c.phone_index.in_([bindparam(f"index_{n}") for n in range(keys)]),
            ),
        )
        .outerjoin(_STATE, _STATE.c.contact_id == _CONTACT.c.id)
        .order_by(_CONTACT.c.id)
    )


# Built and compiled once per number of keys: building it cost more than running it, and
# SQLAlchemy's execution of it (service.db.Prepared) several times what the database takes.
_CONTACT_AND_STATE: dict[int, Prepared] = {}


def _contact_and_state(keys: int) -> Prepared:
    prepared = _CONTACT_AND_STATE.get(keys)
    if prepared is None:
        prepared = _CONTACT_AND_STATE[keys] = Prepared(_statement(keys))
    return prepared


def contact_and_state(
    session: Session,
    org: Organisation,
    sender: str,
    message_sid: str,
    now: dt.datetime,
    *,
    to: str,
) -> tuple[Found | None, bool]:
    """The sender's contact and history (None: a new number), and whether the MessageSid was seen.

    One query, where a returning member's text used to take four and a new number's two: the
    rate limit's count and the first-text checks are subqueries on the contact's own inbound
    rows (indexed by contact), and the MessageSid's on its unique index. Read by Core and
    attached (service.db.attached): the ORM's loading of two entities cost more than the query.
    It also reads the organisation that owns `to`, the number texted: OrganisationChanged is
    raised, before anything is attached, unless that is org as the request has used it.
    """
    # Under the current key and every old one, as contacts.find_contact looks.
    indexes = vault_of(session).blind_indexes(sender)
    if session.autoflush:
        session.flush()  # as an ORM read's autoflush would (nothing to do: no statement)
    prepared = _contact_and_state(len(indexes))
    params = {
        "organisation_id": org.id,
        "message_sid": message_sid,
        "since": now - dt.timedelta(minutes=1),
        "to": to,
    }
    params.update((f"index_{n}", index) for n, index in enumerate(indexes))
    names = prepared.columns(session)
    rows = [dict(zip(names, row, strict=True)) for row in prepared.rows(session, params)]
    first = rows[0]
    confirm_organisation(
        org,
        to,
        None
        if first["o_id"] is None
        else {key: first[label] for label, key in _ORGANISATION_COLUMNS},
    )
    seen = bool(first["seen"])
    contacts = [row for row in rows if row["c_id"] is not None]
    if not contacts:
        return None, seen
    row = min(contacts, key=lambda r: indexes.index(r["c_phone_index"]))
    contact = attached(session, Contact, {key: row[label] for label, key in _CONTACT_COLUMNS})
    state = (
        None
        if row["s_contact_id"] is None
        else attached(
            session, ConversationState, {key: row[label] for label, key in _STATE_COLUMNS}
        )
    )
    found = Found(
        contact,
        state,
        int(row["recent"] or 0),
        bool(row["welcome_owed"]),
        [int(n) for n in row["network_ids"].split(",")] if row["network_ids"] else [],
        row["version"],
    )
    return found, seen


def lock_sender(session: Session, org: Organisation, sender: str) -> set[int]:
    """PostgreSQL: lock the sender's contact row, if there is one, before reading them.

    For a text whose writes depend on what it reads (a NO to an open question, a JOIN, a
    STOP): every write about a member locks their row first, so a text of theirs that is under
    way finishes before this one reads, and one that starts later waits for it. A new number
    has no row to lock: its first insert settles that race (new_contact).
    """
    indexes = vault_of(session).blind_indexes(sender)
    params: dict[str, object] = {"organisation_id": org.id}
    params.update((f"index_{n}", index) for n, index in enumerate(indexes))
    return {row[0] for row in _lock_sender(len(indexes)).rows(session, params)}


def _lock_statement(keys: int) -> Select:
    return (
        select(_CONTACT.c.id)
        .where(
            _CONTACT.c.organisation_id == bindparam("organisation_id"),
            _CONTACT.c.phone_index.in_([bindparam(f"index_{n}") for n in range(keys)]),
        )
        # NO KEY UPDATE: the lock an UPDATE of the contact's other columns takes (count_person's).
        .order_by(_CONTACT.c.id)
        .with_for_update(key_share=True)
    )


_LOCK_SENDER: dict[int, Prepared] = {}


def _lock_sender(keys: int) -> Prepared:
    prepared = _LOCK_SENDER.get(keys)
    if prepared is None:
        prepared = _LOCK_SENDER[keys] = Prepared(_lock_statement(keys))
    return prepared


def new_contact(session: Session, organisation_id: int, sender: str) -> Contact | None:
    """A contact for a number not found; None when a text from the same number made it first.

    One INSERT … ON CONFLICT DO NOTHING RETURNING, in place of a savepoint around the ORM's
    insert: a concurrent first text from the same number waits on it and then makes nothing.
    """
    vault = vault_of(session)
    session.flush()  # the session's pending writes first, as the ORM's autoflush did
    row = (
        session.connection()
        .execute(
            _NEW_CONTACT[session.get_bind().dialect.name],
            {
                "organisation_id": organisation_id,
                "phone_encrypted": vault.encrypt(sender),
                "phone_index": vault.blind_index(sender),
            },
        )
        .first()
    )
    if row is None:
        return None
    contact = Contact(**row._mapping)
    make_transient_to_detached(contact)
    session.add(contact)
    set_committed_value(contact, "memberships", [])  # a new contact has none
    return contact


def _new_contact_statement(insert) -> Insert:
    table = Contact.__table__
    return (
        insert(table)
        .on_conflict_do_nothing(index_elements=["organisation_id", "phone_index"])
        .returning(*table.c)
    )


_NEW_CONTACT = {
    "sqlite": _new_contact_statement(sqlite_insert),
    "postgresql": _new_contact_statement(postgresql_insert),
}
