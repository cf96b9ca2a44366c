"""Send one outbox row: claim it with every check, hand it to Twilio, record what happened."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import phonenumbers
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from service.config import Config, quiet_hours
from service.contacts.models import Contact, Membership
from service.crypto import vault_of
from service.organisations.models import Organisation
from service.outage import is_unreachable
from service.outbox.models import STATUS_RANK, OutboundMessage
from service.twilio_gateway import OPTED_OUT_CODES, UNUSABLE_CODES, SendError, Transport

log = logging.getLogger(__name__)
RETRY_BACKOFF = (10, 60, 300, 900, 3600)  # seconds before attempts 2, 3, ...
MAX_ATTEMPTS = len(RETRY_BACKOFF) + 1


@dataclass(frozen=True)
class Claim:
    """A row claimed for sending: everything needed to send it outside any transaction."""

    outbox_id: int
    to: str
    body: str


@dataclass(frozen=True)
class Later:
    """Not now: try again after this many seconds (quiet hours, a retry's backoff)."""

    seconds: float


def claim(
    session: Session, outbox_id: int, config: Config, now: dt.datetime
) -> Claim | Later | None:
    """Mark a pending row sending after re-checking that it may go now; None when it may not."""
    row = session.scalar(
        select(OutboundMessage).where(OutboundMessage.id == outbox_id).with_for_update()
    )
    if row is None or row.status != "pending":
        return None  # sent, cancelled, or erased already: a duplicate task is harmless
    wait = _seconds_to_wait(session, row, config, now)
    if row.not_after is not None and now + dt.timedelta(seconds=wait) >= row.not_after:
        # Held past its use (quiet hours, retries, a backlog): a reminder that would arrive
        # after its event has started only confuses; drop it instead.
        row.status, row.skip_reason, row.finished_at = "cancelled", "too late", now
        log.info("outbox %s not sent: too late", row.id)
        return None
    if wait:
        return Later(wait)
    if row.contact_id is None and row.to_encrypted:
        # A typed number that is not a contact yet: no contact row to lock, and no STOP of its
        # own, but one written since (it texted STOP meanwhile) still counts.
        number = vault_of(session).decrypt(row.to_encrypted)
        contact = session.scalar(
            select(Contact).where(
                Contact.organisation_id == row.organisation_id,
                Contact.phone_index.in_(vault_of(session).blind_indexes(number)),
            )
        )
        reason = (
            _refusal(session, row, contact, number, config, now)
            if contact
            else _country_refusal(number, config)
        )
    else:
        contact = session.scalar(
            select(Contact).where(Contact.id == row.contact_id).with_for_update()
        )
        number = contact.phone if contact is not None else ""  # decrypted once, used twice
        reason = _refusal(session, row, contact, number, config, now)
    if reason is not None:
        row.status, row.skip_reason, row.finished_at = "cancelled", reason, now
        log.info("outbox %s not sent: %s", row.id, reason)
        return None
    row.status, row.sending_at = "sending", now
    row.attempts += 1
    row.cost_estimate_pence = row.segments * float(config.SEGMENT_COST_PENCE)
    return Claim(row.id, number, vault_of(session).decrypt(row.body_encrypted))


def _seconds_to_wait(
    session: Session, row: OutboundMessage, config: Config, now: dt.datetime
) -> float:
    waits = [0.0]
    for moment in (row.not_before, row.next_attempt_at):
        if moment is not None and moment > now:
            waits.append((moment - now).total_seconds())
    if not row.urgent:
        zone = ZoneInfo(session.get_one(Organisation, row.organisation_id).timezone)
        waits.append(seconds_until_quiet_hours_end(config, now, zone))
    return max(waits)


def seconds_until_quiet_hours_end(config: Config, now: dt.datetime, zone: ZoneInfo) -> float:
    """0 outside quiet hours; otherwise how long until they end, in the local zone."""
    window = quiet_hours(config)
    if window is None:
        return 0.0
    start, end = window
    local = now.astimezone(zone)
    t = local.time()
    inside = (start <= t or t < end) if start > end else (start <= t < end)
    if not inside:
        return 0.0
    end_day = local.date() if t < end else local.date() + dt.timedelta(days=1)
    end_at = dt.datetime.combine(end_day, end, tzinfo=zone)
    # In UTC: two times in the same zone subtract as wall-clock times, an hour out on the
    # nights the clocks change.
    return max((end_at.astimezone(dt.UTC) - now.astimezone(dt.UTC)).total_seconds(), 0.0)


def _refusal(
    session: Session,
    row: OutboundMessage,
    contact: Contact | None,
    number: str,
    config: Config,
    now: dt.datetime,
) -> str | None:
    if contact is None:
        return "contact erased"
    if contact.opted_out_at is not None:
        return "opted out"
    if contact.unusable_at is not None:
        return "number cannot take texts"
    if row.network_ids:
        member = session.scalar(
            select(Membership.id)
            .where(Membership.contact_id == contact.id, Membership.network_id.in_(row.network_ids))
            .limit(1)
        )
        if member is None:
            return "no longer a member"
    if reason := _country_refusal(number, config):
        return reason
    # One pass over the contact's last day: identical texts in 5 minutes, and all texts.
    identical, today = session.execute(
        select(
            func.count().filter(
                OutboundMessage.body_hash == row.body_hash,
                OutboundMessage.sending_at > now - dt.timedelta(minutes=5),
            ),
            func.count(),
        ).where(
            OutboundMessage.contact_id == contact.id,
            OutboundMessage.status.in_(("sending", "sent", "delivered")),
            OutboundMessage.sending_at > now - dt.timedelta(days=1),
        )
    ).one()
    if identical >= config.MAX_IDENTICAL_TEXTS:
        return "identical text sent recently"
    if not row.urgent and row.kind != "code" and today >= config.MAX_DAILY_TEXTS:
        return "daily limit reached"
    return None


def _country_refusal(number: str, config: Config) -> str | None:
    allowed = {int(c) for c in config.ALLOWED_COUNTRY_CODES.split(",") if c.strip()}
    if phonenumbers.parse(number, None).country_code not in allowed:
        return "country not allowed"
    return None


def record_sent(session: Session, outbox_id: int, sid: str, now: dt.datetime) -> None:
    """Note Twilio's SID; a status callback that got here first keeps its later status."""
    row = session.get_one(OutboundMessage, outbox_id, with_for_update=True)
    row.twilio_sid = row.twilio_sid or sid
    row.sent_at = row.sent_at or now
    if STATUS_RANK[row.status] < STATUS_RANK["sent"]:
        row.status = "sent"


def record_failure(
    session: Session, outbox_id: int, error: SendError, now: dt.datetime
) -> float | None:
    """Record a refusal; the seconds to wait before retrying, or None when it is final."""
    row = session.get_one(OutboundMessage, outbox_id, with_for_update=True)
    row.error_code = error.code
    if error.transient and row.attempts < MAX_ATTEMPTS:
        delay = RETRY_BACKOFF[row.attempts - 1]
        row.status, row.next_attempt_at = "pending", now + dt.timedelta(seconds=delay)
        row.queued_at = row.next_attempt_at  # the retry is queued for then
        return delay
    row.status, row.finished_at = "failed", now
    contact = session.get(Contact, row.contact_id)
    if contact is not None and error.code in OPTED_OUT_CODES:
        contact.opted_out_at = contact.opted_out_at or now  # Twilio knows of a STOP we missed
    if contact is not None and error.code in UNUSABLE_CODES:
        contact.unusable_at = contact.unusable_at or now
    return None


# A pending row this long past its queue time is queued again even while the queue is busy.
LOST_AFTER = dt.timedelta(hours=1)


def stuck_rows(
    session: Session, now: dt.datetime, lease: dt.timedelta, *, queue_idle: bool
) -> list[int]:
    """Rows a dead worker left behind, made pending again: their ids, to queue once more.

    A row in "sending" past its lease was claimed by a worker that died. A row still
    "pending" and due lost its task only if the queue has nothing left for it: so those are
    queued again when the queue is idle (or after LOST_AFTER), never while their own task
    may still be waiting behind thousands of others.
    """
    stale_sending = session.scalars(
        select(OutboundMessage.id).where(
            OutboundMessage.status == "sending", OutboundMessage.sending_at < now - lease
        )
    ).all()
    for row_id in stale_sending:
        # Twilio may have taken it before the worker died: at most one duplicate per crash.
        row = session.get_one(OutboundMessage, row_id, with_for_update=True)
        if row.status == "sending":
            row.status = "pending"
    due = (
        OutboundMessage.status == "pending",
        or_(OutboundMessage.next_attempt_at.is_(None), OutboundMessage.next_attempt_at <= now),
        or_(OutboundMessage.not_before.is_(None), OutboundMessage.not_before <= now),
    )
    queued_before = now - (lease if queue_idle else LOST_AFTER)
    lost = session.scalars(
        select(OutboundMessage.id).where(*due, OutboundMessage.queued_at < queued_before)
    ).all()
    ids = sorted({*stale_sending, *lost})
    if ids:
        session.execute(
            update(OutboundMessage).where(OutboundMessage.id.in_(ids)).values(queued_at=now)
        )
    return ids


class DatabaseUnreachable(Exception):
    """The database could not be reached before a row was claimed: it and the rest are pending."""

    def __init__(self, message: str, remaining: Sequence[int] = ()) -> None:
        super().__init__(message)
        self.remaining = list(remaining)  # the rows not tried, still pending


def _record_with_patience(
    database_session, outbox_id: int, sid: str, now_fn, sleep, patience: float
) -> None:
    # Twilio has taken the text: losing this record would send it again once the lease runs
    # out, so ride out a short database outage here, holding the SID in memory.
    waited, pause = 0.0, 0.5
    while True:
        try:
            with database_session() as session:
                record_sent(session, outbox_id, sid, now_fn())
            return
        except Exception as exc:
            if not is_unreachable(exc) or waited >= patience:
                raise
            log.warning("outbox %s: sent, database unreachable; recording again", outbox_id)
            sleep(pause)
            waited += pause
            pause = min(pause * 2, 5.0)


def send_batch(
    database_session,
    outbox_ids: Sequence[int],
    config: Config,
    transport: Transport,
    now_fn,
    status_callback_url: str | None,
    sleep=time.sleep,
    pace: Callable[[], float] = lambda: 0.0,
) -> dict[int, float]:
    """Claim, send and record each row in turn; the rows to try again later, with their delays.

    Each row is claimed (every check, the contact's STOP included) just before it is sent, so
    a STOP is honoured from the very next send. The previous row's SID is written in that same
    transaction: one commit a text, and never a second send before the first is on record, so
    a crash sends at most the one text in flight again. `pace` answers how long to wait before
    the next send (0: go now); the rows left then come back with that delay.
    """
    later: dict[int, float] = {}
    held: tuple[int, str] | None = None  # sent, its SID not yet on record
    # Half the lease: the sweeper never takes back a row whose SID is still held here.
    patience = config.OUTBOX_LEASE_SECONDS / 2
    for position, outbox_id in enumerate(outbox_ids):
        if wait := pace():
            later.update(dict.fromkeys(outbox_ids[position:], wait))
            break
        try:
            with database_session() as session:
                if held is not None:
                    record_sent(session, *held, now_fn())
                claimed = claim(session, outbox_id, config, now_fn())
        except Exception as exc:
            if held is not None:  # that transaction rolled back: the SID is written on its own
                _record_with_patience(database_session, *held, now_fn, sleep, patience)
            if is_unreachable(exc):
                raise DatabaseUnreachable(type(exc).__name__, outbox_ids[position:]) from exc
            raise
        held = None
        if isinstance(claimed, Later):
            later[outbox_id] = claimed.seconds
            continue
        if claimed is None:
            continue
        try:
            result = transport.send(
                to=claimed.to,
                body=claimed.body,
                status_callback=status_callback_url.format(id=outbox_id)
                if status_callback_url
                else None,
            )
        except SendError as error:
            with database_session() as session:
                delay = record_failure(session, outbox_id, error, now_fn())
            log.info(
                "outbox %s refused (code %s), %s",
                outbox_id,
                error.code,
                f"retry in {delay}s" if delay else "final",
            )
            if delay:
                later[outbox_id] = delay
            continue
        held = (outbox_id, result.sid)
    if held is not None:
        _record_with_patience(database_session, *held, now_fn, sleep, patience)
    return later


def send_one(
    database_session,
    outbox_id: int,
    config: Config,
    transport: Transport,
    now_fn,
    status_callback_url: str | None,
    sleep=time.sleep,
) -> float | None:
    """Claim, send and record one row; seconds until it should be tried again, or None."""
    later = send_batch(
        database_session, [outbox_id], config, transport, now_fn, status_callback_url, sleep
    )
    return later.get(outbox_id)
