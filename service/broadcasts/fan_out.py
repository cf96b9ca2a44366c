"""A broadcast's outbox rows for one batch of people, written by the database in one statement.

A person's text depends only on their language, their discretion and the first targeted
network they are in (see Renderer), so the few dozen texts a broadcast can have are rendered,
measured and encrypted here once, and the database joins each person of the batch to theirs:
INSERT ... SELECT over a range of contact ids, the dedupe key made in SQL and a key already
used skipped. Rendering and encrypting a row per person in Python ran at 800 rows a second.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import (
    Boolean,
    Executable,
    Integer,
    Select,
    String,
    Text,
    and_,
    bindparam,
    case,
    cast,
    column,
    false,
    func,
    literal,
    null,
    select,
    true,
    union_all,
    values,
)
from sqlalchemy.orm import Session

from service import languages
from service.contacts.models import Contact, Membership
from service.crypto import vault_of
from service.messaging.segments import count
from service.outbox.models import OutboundMessage
from service.outbox.operations import hold_off_erasures

CONTACT = Contact.__table__.c
MEMBER = Membership.__table__.c
OUT = OutboundMessage.__table__


# The outbox's columns in the order plan()'s statement selects them.
COLUMNS = (
    "organisation_id",
    "contact_id",
    "broadcast_id",
    "network_ids",
    "kind",
    "dedupe_key",
    "body_encrypted",
    "body_hash",
    "language",
    "urgent",
    "status",
    "not_before",
    "attempts",
    "segments",
    "cost_estimate_pence",
    "created_at",
    "queued_at",
)


@dataclass(frozen=True)
class Kind:
    """One text of the broadcast: who reads it, and the row's values that come from the text."""

    language: str
    discreet: bool
    network_id: int  # the first targeted network the person is in; 0 when none is named
    body_encrypted: str
    body_hash: str
    segments: int


def kinds(session: Session, texts: dict[tuple[str, bool, int], str]) -> list[Kind]:
    """Each text measured, hashed and encrypted once.

    People who read the same text share one ciphertext: the row's body hash (which the loop
    guard compares) already says which rows carry the same text, so nothing more is told.
    """
    vault = vault_of(session)
    done: dict[str, tuple[str, str, int]] = {}
    found = []
    for (language, discreet, network_id), text in texts.items():
        if text not in done:
            done[text] = (vault.encrypt(text), vault.blind_index(text), count(text).segments)
        encrypted, hashed, segments = done[text]
        found.append(Kind(language, discreet, network_id, encrypted, hashed, segments))
    return found


def batch_end(session: Session, audience: Select, after: int, size: int) -> tuple[int, int]:
    """(the last contact id, how many people) of the next `size` people of the audience."""
    batch = audience.where(CONTACT.id > after).order_by(CONTACT.id).limit(size).subquery()
    counted = select(func.max(batch.c.id), func.count()).select_from(batch)
    last, people = session.execute(counted).one()
    return (last or after), people


def _networks_of(session: Session, network_ids: list[int]):
    """(first targeted network, the targeted networks as a JSON list) of the contact in view."""
    mine = and_(MEMBER.contact_id == CONTACT.id, MEMBER.network_id.in_(network_ids))
    first = select(func.min(MEMBER.network_id)).where(mine).scalar_subquery()
    ordered = (
        select(MEMBER.network_id)
        .where(mine)
        .order_by(MEMBER.network_id)
        .correlate(Contact.__table__)
        .subquery()
    )
    if session.get_bind().dialect.name == "postgresql":
        listed = select(func.json_agg(ordered.c.network_id)).scalar_subquery()
    else:
        listed = select(func.json_group_array(ordered.c.network_id)).scalar_subquery()
    return first, listed


@dataclass(frozen=True)
class Plan:
    """The INSERT that writes any batch of a fan-out run, its texts in it, made once and kept."""

    organisation_id: int
    statement: Executable  # the batch chosen by bind parameters AFTER, LAST and NOW


AFTER, LAST, NOW = "fan_out_after", "fan_out_last", "fan_out_now"


def plan(
    session: Session,
    *,
    broadcast_id: int,
    organisation_id: int,
    conditions: tuple,
    network_ids: list[int] | None,
    written: list[Kind],
    urgent: bool,
    not_before: dt.datetime | None,
) -> Plan:
    """The statement that writes everyone in the audience with contact ids in (AFTER, LAST].

    `conditions` are the audience's own (organisation, reachable, held languages, site);
    a network audience adds being in one of its networks. Rows that already exist are skipped.
    """
    # Texts exist for every language the service speaks; a person whose stored language it no
    # longer offers reads the English, as Renderer gives them (it has no text in theirs).
    language = case(
        (CONTACT.language.in_(languages.CODES), CONTACT.language), else_=languages.DEFAULT
    )
    if network_ids:
        first, listed = _networks_of(session, network_ids)
    else:
        first, listed = literal(0, Integer), cast(null(), OUT.c.network_ids.type)
    now = bindparam(NOW, type_=OUT.c.created_at.type)
    person = (
        select(
            CONTACT.id.label("contact_id"),
            CONTACT.language.label("language"),
            language.label("text_language"),
            CONTACT.discreet.label("discreet"),
            first.label("network_id"),
            listed.label("network_ids"),
        )
        .where(
            *conditions,
            CONTACT.id > bindparam(AFTER, type_=Integer),
            CONTACT.id <= bindparam(LAST, type_=Integer),
        )
        .subquery("person")
    )
    table = _kinds_table(written)
    rows = (
        select(
            literal(organisation_id, Integer),
            person.c.contact_id,
            literal(broadcast_id, Integer),
            person.c.network_ids,
            literal("broadcast", String),
            literal(f"broadcast:{broadcast_id}:", String) + cast(person.c.contact_id, String),
            table.c.k_body,
            table.c.k_hash,
            person.c.language,
            true() if urgent else false(),
            literal("pending", String),
            literal(not_before, OUT.c.not_before.type),
            literal(0, Integer),
            table.c.k_segments,
            literal(0.0),
            now,
            now,
        )
        .join_from(
            person,
            table,
            and_(
                table.c.k_language == person.c.text_language,
                table.c.k_discreet == person.c.discreet,
                table.c.k_network == person.c.network_id,
            ),
        )
        # The network audience's own condition: in at least one of its networks.
        .where(person.c.network_id.is_not(None))
    )
    statement = _insert(session).from_select(COLUMNS, rows)
    statement = statement.on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(OUT.c.id)
    return Plan(organisation_id, statement)


def write_batch(
    session: Session, planned: Plan, *, after: int, last: int, now: dt.datetime
) -> list[int]:
    """Write the planned rows of everyone with contact ids in (after, last]; the new rows' ids."""
    # The outbox holds no foreign key to the contact: an erasure in the organisation waits for
    # this batch to commit, then deletes what it wrote for them (see hold_off_erasures).
    hold_off_erasures(session, planned.organisation_id)
    # The session's connection: a Core INSERT needs none of the ORM's handling of a statement.
    result = session.connection().execute(planned.statement, {AFTER: after, LAST: last, NOW: now})
    return sorted(result.scalars())


# Up to this many texts go into the INSERT as a UNION ALL of one-row SELECTs, beyond it as a
# VALUES list. SQLAlchemy never caches a statement holding VALUES data, so every batch compiled
# the INSERT afresh (17-19% of the worker's samples at 1,000 contacts a batch); a broadcast's
# texts keep their number and order from batch to batch, so the union is compiled once per
# broadcast. But SQLite refuses a compound SELECT of more than 500 terms, and a broadcast has
# two texts a language for each targeted network (14 a network in seven languages): past 400
# texts (28 networks) it keeps the VALUES list.
UNION_TEXTS = 400


def _kinds_table(written: list[Kind]):
    """The broadcast's texts as a table the batch's people are joined to."""
    names = ("k_language", "k_discreet", "k_network", "k_body", "k_hash", "k_segments")
    types = (String, Boolean, Integer, Text, String, Integer)
    data = [
        (k.language, k.discreet, k.network_id, k.body_encrypted, k.body_hash, k.segments)
        for k in written
    ]
    if len(data) > UNION_TEXTS:
        listed = values(*(column(n, t) for n, t in zip(names, types, strict=True)), name="kinds")
        return listed.data(data).cte("kinds")
    one_row = (
        select(*(literal(v, t).label(n) for v, t, n in zip(row, types, names, strict=True)))
        for row in data
    )
    return union_all(*one_row).cte("kinds")


def _insert(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(OUT)
