"""Write outbound messages in the caller's transaction; the worker sends them after it commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select, true, update
from sqlalchemy.orm import Session

from service.contacts.models import Contact
from service.crypto import vault_of
from service.db import QUEUE_KEY, hand_over_after_commit, utcnow
from service.messaging.segments import count
from service.outbox.models import FINISHED, STATUS_RANK, OutboundMessage

# Session.info key: ids written in this transaction, handed to the queue once it commits.
_NEW_IDS = "outbox.new_ids"


@dataclass(frozen=True)
class Draft:
    """One message for one contact (or, with no contact, one typed number), before it is a row."""

    contact_id: int | None
    body: str
    dedupe_key: str
    language: str = "en"
    network_ids: Sequence[int] | None = None
    # Cancel rather than send after this moment (a reminder once its event has started).
    not_after: dt.datetime | None = None
    to: str | None = None


def enqueue(
    session: Session,
    *,
    organisation_id: int,
    drafts: Iterable[Draft],
    kind: str,
    broadcast_id: int | None = None,
    urgent: bool = False,
    not_before: dt.datetime | None = None,
) -> list[int]:
    """Write one pending row per draft (a dedupe key already used is skipped); their ids."""
    vault = vault_of(session)
    now = utcnow()
    rows = []
    # A broadcast has a handful of distinct texts, not thousands: measure and hash each once.
    seen: dict[str, tuple[int, str]] = {}
    for draft in drafts:
        if draft.body not in seen:
            seen[draft.body] = (count(draft.body).segments, vault.blind_index(draft.body))
        segments, body_hash = seen[draft.body]
        rows.append(
            {
                "organisation_id": organisation_id,
                "contact_id": draft.contact_id,
                "to_encrypted": vault.encrypt(draft.to) if draft.to else None,
                "to_index": vault.blind_index(draft.to) if draft.to else None,
                "broadcast_id": broadcast_id,
                "network_ids": list(draft.network_ids) if draft.network_ids else None,
                "kind": kind,
                "dedupe_key": draft.dedupe_key,
                "body_encrypted": vault.encrypt(draft.body),
                "body_hash": body_hash,
                "language": draft.language,
                "urgent": urgent,
                "status": "pending",
                "not_before": not_before,
                "not_after": draft.not_after,
                "attempts": 0,
                "segments": segments,
                "created_at": now,
                "queued_at": now,
            }
        )
    if not rows:
        return []
    ids = _insert_ignoring_duplicates(session, rows)
    queue_written(session, ids)
    return ids


def queue_written(session: Session, ids: list[int]) -> None:
    """Hand rows written in this transaction to the workers once it commits."""
    session.info.setdefault(_NEW_IDS, []).extend(ids)


def _insert_ignoring_duplicates(session: Session, rows: list[dict]) -> list[int]:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    statement = dialect_insert(OutboundMessage).on_conflict_do_nothing(
        index_elements=["dedupe_key"]
    )
    # A plain executemany (pipelined by psycopg) is several times faster than RETURNING over
    # thousands of rows; the new rows are then found by their keys and this call's timestamp,
    # which rows that already existed (a dedupe hit) do not share.
    session.execute(statement, rows)
    keys = [row["dedupe_key"] for row in rows]
    created_at = rows[0]["created_at"]
    ids: list[int] = []
    for start in range(0, len(keys), 1000):
        ids.extend(
            session.scalars(
                select(OutboundMessage.id).where(
                    OutboundMessage.dedupe_key.in_(keys[start : start + 1000]),
                    OutboundMessage.created_at == created_at,
                )
            )
        )
    return ids


# Only committed rows are queued: a worker never sees a row its cause rolled back.
hand_over_after_commit(_NEW_IDS, QUEUE_KEY)


def cancel_pending(session: Session, *, broadcast_id: int) -> int:
    """Cancel a broadcast's rows that have not been sent; how many were cancelled."""
    result = session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.broadcast_id == broadcast_id, OutboundMessage.status == "pending")
        .values(status="cancelled", skip_reason="broadcast cancelled", finished_at=utcnow())
    )
    return result.rowcount or 0


def record_status(
    session: Session,
    outbox_id: int,
    *,
    message_sid: str,
    status: str,
    error_code: int | None,
    now: dt.datetime,
) -> bool:
    """Apply a delivery status from Twilio; it never goes backwards. True when it changed."""
    mapped = {"read": "delivered", "canceled": "failed"}.get(status, status)
    if mapped not in STATUS_RANK:
        return False  # queued, accepted, scheduled: nothing we track
    row = session.scalar(
        select(OutboundMessage).where(OutboundMessage.id == outbox_id).with_for_update()
    )
    if row is None or (row.twilio_sid not in (None, message_sid)):
        return False
    if row.twilio_sid is None:
        # The callback can beat the worker's own record of the SID.
        row.twilio_sid = message_sid
    if STATUS_RANK[mapped] <= STATUS_RANK[row.status]:
        return False
    row.status = mapped
    if error_code is not None:
        row.error_code = error_code
    if mapped in FINISHED:
        row.finished_at = now
    elif mapped == "sent" and row.sent_at is None:
        row.sent_at = now
    return True


def send_one(
    session: Session, organisation_id: int, draft: Draft, *, kind: str, urgent: bool = False
) -> int | None:
    """Queue one text (a code, "text me this") to a contact or a typed number; None if a repeat."""
    ids = enqueue(
        session, organisation_id=organisation_id, drafts=[draft], kind=kind, urgent=urgent
    )
    return ids[0] if ids else None


def send_to_contact(
    session: Session,
    contact_id: int,
    organisation_id: int,
    body: str,
    *,
    kind: str,
    dedupe_key: str,
    language: str = "en",
    urgent: bool = False,
) -> int | None:
    """Queue one text to one contact ("text me this", a code); its id, or None if a repeat."""
    draft = Draft(contact_id, body, dedupe_key, language)
    return send_one(session, organisation_id, draft, kind=kind, urgent=urgent)


# PostgreSQL advisory lock class of "erasures in an organisation" (the key's second half is
# the organisation's id): fan-out batches share it, an erasure takes it alone (erase_for_contact).
ERASURE_LOCK = 20_040


def erase_for_contact(session: Session, contact: Contact) -> None:
    """Delete the texts to the contact's number sent before it was known to be theirs.

    On PostgreSQL this first waits for the organisation's fan-out batches under way to commit
    (see hold_off_erasures), and holds them off until the erasure commits: the contact's own
    rows, theirs included, go with the contact (a trigger: migration 0041), which the erasure
    deletes after this in a statement of its own, so it sees what those batches wrote.
    """
    # A number typed at a kiosk or on a web page is held by its blind index until a code
    # proves it (it may not have been this contact yet).
    indexes = vault_of(session).blind_indexes(contact.phone)
    locked = []
    if session.get_bind().dialect.name == "postgresql":
        # The lock rides in this statement (the erasing YES's round trips are counted: tests/
        # perf) as a condition on no row, which the database checks once before it looks for
        # any row, found or not; a volatile function in a subquery is never left out.
        held = select(func.pg_advisory_xact_lock(ERASURE_LOCK, contact.organisation_id))
        locked = [select(true()).select_from(held.subquery("held")).scalar_subquery()]
    session.execute(
        delete(OutboundMessage).where(
            *locked,
            OutboundMessage.organisation_id == contact.organisation_id,
            OutboundMessage.to_index.in_(indexes),
        )
    )


def hold_off_erasures(session: Session, organisation_id: int) -> None:
    """Make an erasure in the organisation wait until this transaction ends (a fan-out batch).

    The outbox holds no foreign key to the contact (migration 0041): without this, a batch
    that read a contact just before its erasure committed would write it a row afterwards.
    SQLite has one writer at a time, so there a batch and an erasure never overlap.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock_shared(ERASURE_LOCK, organisation_id)))
