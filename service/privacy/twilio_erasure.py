"""Erasure reaches Twilio: the number's texts, calls and voicemails are deleted there too.

Erasing a contact writes, in the same transaction, one `TwilioDeletion` row for every Twilio
record whose SID we held (inbound and outbound texts, calls, call-backs, voicemails) and one
look-up row. The look-up lists, at Twilio, every text and call to or from the number, which
also finds what we never stored: the replies Twilio sent from our TwiML, the legs of a bridged
call-back. It holds the number (encrypted) only until Twilio has answered it. A worker works
through due rows every minute; a row Twilio does not delete (down, or error 20009: a record
still being processed, which can last up to 14 days) is tried again later, forever if need
be. When an erasure's last row is done, one audit entry counts what was deleted, by contact
reference and never by number, and the rows go.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, literal, select, union_all, update
from sqlalchemy.orm import Session

from service.audit import operations as audit
from service.callbacks.models import CallbackRequest
from service.contacts.models import Contact
from service.crypto import DecryptionError, vault_of
from service.db import Database
from service.outbox.models import OutboundMessage
from service.privacy.models import CALL, LOOKUP, MESSAGE, RECORDING, TwilioDeletion
from service.privacy.registry import holders
from service.twilio_gateway import NotDeleted, RecordingUnavailable, Transport

log = logging.getLogger(__name__)

# Twilio refuses to delete a text or call in its first minute or so (error 20009).
FIRST_DELAY = dt.timedelta(minutes=1)
# The look-up waits for our last reply (FORGET ME's "Done") to reach Twilio, so it is listed.
LOOKUP_DELAY = dt.timedelta(minutes=3)
# Seconds before attempts 2, 3, ...; the last repeats until Twilio says the record is gone.
BACKOFF = (60, 300, 900, 3600, 6 * 3600)
# A claimed row is not claimed again by another worker for this long.
LEASE = dt.timedelta(minutes=10)
AUDIT_ACTION = "twilio.erased"


def owe_twilio(session: Session, contact: Contact, now: dt.datetime) -> str:
    """Write the rows that delete the contact's records at Twilio; the erasure's reference."""
    held: dict[str, str] = {}
    # Every SID in one statement, the core's and then the channels' own (texts received, calls
    # to the line, from their holders): FORGET ME's reply waits on each round trip, and on a
    # busy machine each costs milliseconds. Ranked so a SID seen twice keeps its first kind.
    core = (
        (MESSAGE, OutboundMessage.twilio_sid, OutboundMessage),
        (CALL, CallbackRequest.call_sid, CallbackRequest),
        (CALL, CallbackRequest.callback_call_sid, CallbackRequest),
        (RECORDING, CallbackRequest.recording_sid, CallbackRequest),
    )
    sources = [
        select(literal(kind).label("kind"), column.label("sid")).where(
            model.contact_id == contact.id
        )
        for kind, column, model in core
    ]
    sources += [query for holder in holders() for query in holder.twilio_records(contact)]
    ranked = union_all(
        *(query.add_columns(literal(rank).label("rank")) for rank, query in enumerate(sources))
    ).subquery()
    for kind, sid in session.execute(select(ranked.c.kind, ranked.c.sid).order_by(ranked.c.rank)):
        if sid:
            held.setdefault(sid, kind)
    mine = contact.id
    erasure = secrets.token_hex(16)
    base = {"organisation_id": contact.organisation_id, "erasure": erasure, "contact_ref": mine}
    session.add_all(
        TwilioDeletion(**base, kind=kind, sid=sid, next_attempt_at=now + FIRST_DELAY)
        for sid, kind in held.items()
    )
    session.add(
        TwilioDeletion(
            **base,
            kind=LOOKUP,
            number_encrypted=vault_of(session).encrypt(contact.phone),
            next_attempt_at=now + LOOKUP_DELAY,
        )
    )
    return erasure


@dataclass(frozen=True)
class Job:
    """A claimed row: what to ask Twilio, taken out of the transaction that claimed it."""

    id: int
    erasure: str
    kind: str
    sid: str | None
    number: str | None
    attempts: int


def claim_due(session: Session, now: dt.datetime, limit: int) -> list[Job]:
    """Claim up to `limit` due rows (each pushed a lease ahead, so no other worker takes it)."""
    ids = session.scalars(
        select(TwilioDeletion.id)
        .where(TwilioDeletion.done_at.is_(None), TwilioDeletion.next_attempt_at <= now)
        .order_by(TwilioDeletion.next_attempt_at, TwilioDeletion.id)
        .limit(limit)
    ).all()
    vault = vault_of(session)
    jobs = []
    for row_id in ids:
        # One statement per row: of two workers, only one sees it still due and claims it.
        row = session.execute(
            update(TwilioDeletion)
            .where(
                TwilioDeletion.id == row_id,
                TwilioDeletion.done_at.is_(None),
                TwilioDeletion.next_attempt_at <= now,
            )
            .values(next_attempt_at=now + LEASE, attempts=TwilioDeletion.attempts + 1)
            .returning(
                TwilioDeletion.erasure,
                TwilioDeletion.kind,
                TwilioDeletion.sid,
                TwilioDeletion.number_encrypted,
                TwilioDeletion.attempts,
            )
        ).first()
        if row is not None:
            number = None
            if row.number_encrypted:
                # Unreadable only if DATA_KEY changed without OLD_DATA_KEYS: that row waits
                # (and says so) while the rest go on.
                with contextlib.suppress(DecryptionError):
                    number = vault.decrypt(row.number_encrypted)
            jobs.append(Job(row_id, row.erasure, row.kind, row.sid, number, row.attempts))
    return jobs


def _ask_twilio(job: Job, transport: Transport) -> dict[str, str]:
    """Do the job at Twilio; the further records it found ({sid: kind}) to delete next."""
    if job.kind == LOOKUP:
        if job.number is None:
            raise NotDeleted("the number does not decrypt under the configured keys")
        found = transport.exchanges_with(job.number)
        return {sid: MESSAGE for sid in found.messages} | {sid: CALL for sid in found.calls}
    assert job.sid is not None
    if job.kind == MESSAGE:
        transport.delete_message(job.sid)
        return {}
    if job.kind == RECORDING:
        try:
            transport.delete_recording(job.sid)
        except RecordingUnavailable as exc:
            raise NotDeleted(str(exc)) from None
        return {}
    # A call: its recordings are found first, so none is left behind once the call is gone.
    recordings = {sid: RECORDING for sid in transport.recordings_of(job.sid)}
    transport.delete_call(job.sid)
    return recordings


def _record_done(session: Session, job: Job, found: dict[str, str], now: dt.datetime) -> None:
    row = session.get(TwilioDeletion, job.id)
    if row is None:
        return  # its lease ran out and another worker finished the erasure meanwhile
    known = set(
        session.scalars(select(TwilioDeletion.sid).where(TwilioDeletion.erasure == job.erasure))
    )
    session.add_all(
        TwilioDeletion(
            organisation_id=row.organisation_id,
            erasure=job.erasure,
            contact_ref=row.contact_ref,
            kind=kind,
            sid=sid,
            next_attempt_at=now,
        )
        for sid, kind in found.items()
        if sid not in known
    )
    row.done_at, row.number_encrypted = now, None  # the look-up's number goes with its answer
    session.flush()
    _close_if_finished(session, row.organisation_id, row.contact_ref, job.erasure)


def _close_if_finished(
    session: Session, organisation_id: int, contact_ref: int | None, erasure: str
) -> None:
    open_rows = session.scalar(
        select(func.count())
        .select_from(TwilioDeletion)
        .where(TwilioDeletion.erasure == erasure, TwilioDeletion.done_at.is_(None))
    )
    if open_rows:
        return
    # Only the worker whose DELETE removed the rows writes the entry, so it is written once.
    gone = session.execute(
        delete(TwilioDeletion)
        .where(TwilioDeletion.erasure == erasure)
        .returning(TwilioDeletion.kind, TwilioDeletion.attempts)
    ).all()
    if not gone:
        return
    counts = {kind: sum(1 for k, _ in gone if k == kind) for kind in (MESSAGE, CALL, RECORDING)}
    audit.record(
        session,
        organisation_id,
        None,
        AUDIT_ACTION,
        contact=contact_ref,
        erasure=erasure,
        messages=counts[MESSAGE],
        calls=counts[CALL],
        recordings=counts[RECORDING],
        attempts=sum(a for _, a in gone),
    )


def _record_failure(session: Session, job: Job, reason: str, now: dt.datetime) -> None:
    delay = BACKOFF[min(job.attempts, len(BACKOFF)) - 1]
    session.execute(
        update(TwilioDeletion)
        .where(TwilioDeletion.id == job.id)
        .values(next_attempt_at=now + dt.timedelta(seconds=delay))
    )
    # The reason is Twilio's status and code, or an exception's name: never a number.
    log.warning(
        "twilio erasure %s: %s not deleted (%s); try %d again in %ss",
        job.id,
        job.kind,
        reason,
        job.attempts + 1,
        delay,
    )


def erase_at_twilio(
    database: Database, transport: Transport, now: dt.datetime, *, limit: int = 200
) -> int:
    """Work through the deletions that are due; how many Twilio confirmed this time."""
    with database.session() as session:
        jobs = claim_due(session, now, limit)
    done = 0
    for job in jobs:
        # Twilio is asked outside any transaction: a slow answer holds no lock.
        try:
            found = _ask_twilio(job, transport)
        except NotDeleted as exc:
            with database.session() as session:
                _record_failure(session, job, str(exc), now)
            continue
        with database.session() as session:
            _record_done(session, job, found, now)
        done += 1
    return done


def owed(session: Session, erasure: str) -> int:
    """How many of an erasure's Twilio records are still to be deleted."""
    return (
        session.scalar(
            select(func.count())
            .select_from(TwilioDeletion)
            .where(TwilioDeletion.erasure == erasure, TwilioDeletion.done_at.is_(None))
        )
        or 0
    )
