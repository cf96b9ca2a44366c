"""Claim a batch of outbox rows in one transaction: every check of a row, made for all at once."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import phonenumbers
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE
from sqlalchemy import Connection, Engine, bindparam, func, select, update
from sqlalchemy.orm import Session

from service.config import Config, quiet_hours
from service.contacts.models import Contact, Membership
from service.crypto import vault_of
from service.organisations.models import Organisation
from service.outbox.models import OutboundMessage

log = logging.getLogger(__name__)
OUT = OutboundMessage.__table__.c
CONTACT = Contact.__table__.c


@dataclass(frozen=True)
class Claim:
    """A row claimed for sending: everything needed to send it outside any transaction."""

    outbox_id: int
    # The row's attempts once claimed: which claim this is. A worker whose lease ran out finds
    # another number there once the sweeper has given the row back and another worker took it.
    attempt: int
    to: str
    body: str
    contact_id: int | None = None


@dataclass(frozen=True)
class Later:
    """Not now: try again after this many seconds (quiet hours, a retry's backoff)."""

    seconds: float


@dataclass(frozen=True)
class Batch:
    """What a batch claim decided: the rows to send now, in order, and those to try later."""

    claims: list[Claim]
    later: dict[int, float]
    bind: Engine | Connection  # the database they were claimed in, to record their sending on


# A row another worker is claiming (PostgreSQL's SKIP LOCKED passed it by) is looked at again
# this soon: that worker has it by then, or it is still pending and goes.
SKIPPED_RETRY = 1.0


def claim_batch(
    session: Session, outbox_ids: Sequence[int], config: Config, now: dt.datetime
) -> Batch:
    """Mark pending rows sending after every check, for the batch at once, in id order.

    The checks are those a row had when it was claimed alone (quiet hours, retries' backoff,
    too late, STOP, an unusable number, membership, allowed countries, the loop guard and the
    daily cap), read in a few statements for the whole batch; rows earlier in the batch count
    towards the loop guard and the daily cap of later ones, as if they had been claimed first.
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    rows_query = (
        select(
            OUT.id,
            OUT.organisation_id,
            OUT.contact_id,
            OUT.to_encrypted,
            OUT.network_ids,
            OUT.kind,
            OUT.body_encrypted,
            OUT.body_hash,
            OUT.urgent,
            OUT.not_before,
            OUT.not_after,
            OUT.next_attempt_at,
            OUT.attempts,
            Organisation.timezone,
        )
        .join(Organisation, Organisation.id == OUT.organisation_id)
        .where(OUT.id.in_(outbox_ids), OUT.status == "pending")
        .order_by(OUT.id)
    )
    if postgres:
        # Another worker claiming some of these (a task queued twice by the sweeper) keeps
        # them; this one goes on with the rest rather than wait for its commit.
        rows_query = rows_query.with_for_update(of=OutboundMessage.__table__, skip_locked=True)
    rows = session.execute(rows_query).all()
    later = _skipped(session, outbox_ids, {r.id for r in rows}) if postgres else {}
    contacts = _contacts(session, {r.contact_id for r in rows if r.contact_id is not None})
    vault = vault_of(session)
    members = _memberships(
        session, [(r.contact_id, r.network_ids) for r in rows if r.network_ids and r.contact_id]
    )
    today, recent = _texts_in_last_day(session, list(contacts), now)
    claimed: list[Claim] = []
    cancelled: dict[str, list[int]] = {}
    bodies: dict[str, str] = {}  # a broadcast's rows share a body: decrypted once a batch
    zones: dict[str, ZoneInfo] = {}
    for row in rows:
        zone = zones.get(row.timezone) or zones.setdefault(row.timezone, ZoneInfo(row.timezone))
        wait = seconds_to_wait(row, config, now, zone)
        if row.not_after is not None and now + dt.timedelta(seconds=wait) >= row.not_after:
            # Held past its use (quiet hours, retries, a backlog): a reminder that would arrive
            # after its event has started only confuses; drop it instead.
            cancelled.setdefault("too late", []).append(row.id)
            continue
        if wait:
            later[row.id] = wait
            continue
        if row.contact_id is None and row.to_encrypted:
            number = vault.decrypt(row.to_encrypted)
            contact, reason = _typed_number(session, row, number, config, now)
        else:
            contact = contacts.get(row.contact_id)
            number = vault.decrypt(contact.phone_encrypted) if contact is not None else ""
            reason = _refusal(row, contact, number, config, members, today, recent)
        if reason is not None:
            cancelled.setdefault(reason, []).append(row.id)
            continue
        if contact is not None:  # this text counts towards the next ones' loop guard and cap
            today[contact.id] += 1
            recent[contact.id, row.body_hash] += 1
        if row.body_hash not in bodies:
            bodies[row.body_hash] = vault.decrypt(row.body_encrypted)
        claimed.append(
            Claim(
                row.id,
                row.attempts + 1,
                number,
                bodies[row.body_hash],
                contact.id if contact else None,
            )
        )
    for reason, ids in cancelled.items():
        session.execute(
            update(OutboundMessage.__table__)
            .where(OUT.id.in_(ids))
            .values(status="cancelled", skip_reason=reason, finished_at=now)
        )
    if claimed:
        session.execute(
            update(OutboundMessage.__table__)
            .where(OUT.id.in_([c.outbox_id for c in claimed]))
            .values(
                status="sending",
                sending_at=now,
                attempts=OUT.attempts + 1,
                cost_estimate_pence=OUT.segments * float(config.SEGMENT_COST_PENCE),
            )
        )
    if cancelled:  # one line a batch, never a line a text
        log.info(
            "outbox: %s not sent (%s)",
            sum(len(ids) for ids in cancelled.values()),
            ", ".join(f"{reason} {len(ids)}" for reason, ids in cancelled.items()),
        )
    return Batch(claimed, later, session.get_bind())


def _skipped(session: Session, outbox_ids: Sequence[int], found: set[int]) -> dict[int, float]:
    # Rows passed by because their lock was held: those still pending are tried again shortly.
    missing = [i for i in outbox_ids if i not in found]
    if not missing:
        return {}
    pending = session.scalars(select(OUT.id).where(OUT.id.in_(missing), OUT.status == "pending"))
    return dict.fromkeys(pending, SKIPPED_RETRY)


def _contacts(session: Session, contact_ids: set[int]) -> dict[int, Contact]:
    # Locked (in id order, so two batches never wait on each other in a circle): a STOP being
    # written now is seen once it commits, and two workers never count the same person's day
    # at once.
    if not contact_ids:
        return {}
    query = (
        select(CONTACT.id, CONTACT.phone_encrypted, CONTACT.opted_out_at, CONTACT.unusable_at)
        .where(CONTACT.id.in_(contact_ids))
        .order_by(CONTACT.id)
        .with_for_update()
    )
    return {c.id: c for c in session.execute(query)}


def _memberships(session: Session, wanted: Sequence[tuple[int, Sequence[int]]]) -> set:
    """The (contact, network) pairs that still hold, of those asked about."""
    if not wanted:
        return set()
    query = select(Membership.contact_id, Membership.network_id).where(
        Membership.contact_id.in_({contact_id for contact_id, _ in wanted}),
        Membership.network_id.in_({n for _, networks in wanted for n in networks}),
    )
    return {(m.contact_id, m.network_id) for m in session.execute(query)}


def _texts_in_last_day(
    session: Session, contact_ids: list[int], now: dt.datetime
) -> tuple[Counter, Counter]:
    """Texts gone to each contact in the last day, and by body in the last five minutes."""
    today: Counter = Counter()
    recent: Counter = Counter()
    if not contact_ids:
        return today, recent
    query = (
        select(
            OUT.contact_id,
            OUT.body_hash,
            func.count(),
            func.count().filter(OUT.sending_at > now - dt.timedelta(minutes=5)),
        )
        .where(
            OUT.contact_id.in_(contact_ids),
            OUT.status.in_(("sending", "sent", "delivered")),
            OUT.sending_at > now - dt.timedelta(days=1),
        )
        .group_by(OUT.contact_id, OUT.body_hash)
    )
    for contact_id, body_hash, day, five_minutes in session.execute(query):
        today[contact_id] += day
        recent[contact_id, body_hash] += five_minutes
    return today, recent


def _typed_number(session: Session, row, number: str, config: Config, now: dt.datetime):
    # A typed number that is not a contact yet (a code, "text me this"): no contact row to
    # lock and no STOP of its own, but one written since (it texted STOP meanwhile) counts.
    contact = session.execute(
        select(CONTACT.id, CONTACT.phone_encrypted, CONTACT.opted_out_at, CONTACT.unusable_at)
        .where(
            CONTACT.organisation_id == row.organisation_id,
            CONTACT.phone_index.in_(vault_of(session).blind_indexes(number)),
        )
        .limit(1)
    ).first()
    if contact is None:
        return None, country_refusal(number, config)
    members = _memberships(session, [(contact.id, row.network_ids)] if row.network_ids else [])
    today, recent = _texts_in_last_day(session, [contact.id], now)
    return contact, _refusal(row, contact, number, config, members, today, recent)


def _refusal(row, contact, number: str, config: Config, members, today, recent) -> str | None:
    if contact is None:
        return "contact erased"
    if contact.opted_out_at is not None:
        return "opted out"
    if contact.unusable_at is not None:
        return "number cannot take texts"
    if row.network_ids and not any((contact.id, n) in members for n in row.network_ids):
        return "no longer a member"
    if reason := country_refusal(number, config):
        return reason
    if recent[contact.id, row.body_hash] >= config.MAX_IDENTICAL_TEXTS:
        return "identical text sent recently"
    if not row.urgent and row.kind != "code" and today[contact.id] >= config.MAX_DAILY_TEXTS:
        return "daily limit reached"
    return None


def country_refusal(number: str, config: Config) -> str | None:
    """The reason a number may not be texted ("country not allowed"), or None when it may."""
    allowed = {int(c) for c in config.ALLOWED_COUNTRY_CODES.split(",") if c.strip()}
    if country_code(number) not in allowed:
        return "country not allowed"
    return None


def country_code(number: str) -> int | None:
    """The country calling code of a number, read from its E.164 prefix where it has one."""
    # Calling codes are prefix-free (no code begins another), so the first one to match is
    # the number's: far cheaper than a full parse, which a worker would do for every text.
    if number.startswith("+") and number[1:].isdigit():
        for length in (1, 2, 3):
            code = int(number[1 : 1 + length])
            if code in COUNTRY_CODE_TO_REGION_CODE:
                return code
        return None
    try:
        return phonenumbers.parse(number, None).country_code
    except phonenumbers.NumberParseException:
        return None


def seconds_to_wait(row, config: Config, now: dt.datetime, zone: ZoneInfo) -> float:
    """How long a row must wait before it may go: its own times, then quiet hours."""
    waits = [0.0]
    for moment in (row.not_before, row.next_attempt_at):
        if moment is not None and moment > now:
            waits.append((moment - now).total_seconds())
    if not row.urgent:
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


# Built once, run before every few texts (see still_wanted): the rows still sending, which
# claim holds them, and their own contact's STOP.
_STILL_SENDING = (
    select(OUT.id, OUT.attempts, OUT.contact_id, CONTACT.opted_out_at, CONTACT.unusable_at)
    .select_from(
        OutboundMessage.__table__.outerjoin(Contact.__table__, CONTACT.id == OUT.contact_id)
    )
    .where(OUT.id.in_(bindparam("b_ids", expanding=True)), OUT.status == "sending")
)
_CONTACTS_NOW = select(CONTACT.id, CONTACT.opted_out_at, CONTACT.unusable_at).where(
    CONTACT.id.in_(bindparam("b_contacts", expanding=True))
)
_NOT_TRIED = (
    update(OutboundMessage.__table__)
    .where(
        OUT.id == bindparam("b_id"),
        OUT.status == "sending",
        OUT.attempts == bindparam("b_attempt"),  # still this claim's, not another worker's
    )
    # Never tried after all: no attempt and no cost, as if the claim had refused it.
    .values(
        status="cancelled",
        skip_reason=bindparam("b_reason"),
        finished_at=bindparam("b_now", type_=OUT.finished_at.type),
        attempts=OUT.attempts - 1,
        cost_estimate_pence=0.0,
    )
)


def still_wanted(
    connection: Connection, claims: Sequence[Claim], now: dt.datetime, rows: Sequence | None = None
) -> list[Claim]:
    """Just before claimed texts go: those still wanted (the rows of any STOPped cancelled).

    The batch was checked when it was claimed; this reads again what a member can change in
    the moments a batch takes to send (STOP, or the number erased), so a STOP is honoured
    from the very next send; and whether the row is still this claim's: a worker slow past
    its lease finds a row the sweeper gave back, or another worker claimed since, and leaves
    it to that one. The caller sends what this returns at once, none held back. `rows`, when
    given, are what _STILL_SENDING would read, read by the caller with its own statement.
    """
    if not claims:
        return []
    if rows is None:
        rows = connection.execute(_STILL_SENDING, {"b_ids": [c.outbox_id for c in claims]}).all()
    rows = {r.id: r for r in rows}
    # The claim's contact, not the row's: a text to a typed number (a kiosk's code) has no
    # contact on its row, yet the claim found the member the number belongs to, whose STOP
    # counts too. Those few are read on their own.
    # Rows another claim holds now are none of this one's business.
    rows = {
        c.outbox_id: rows[c.outbox_id]
        for c in claims
        if c.outbox_id in rows and rows[c.outbox_id].attempts == c.attempt
    }
    typed = {
        c.contact_id
        for c in claims
        if c.contact_id is not None
        and c.outbox_id in rows
        and rows[c.outbox_id].contact_id != c.contact_id
    }
    members = (
        {m.id: m for m in connection.execute(_CONTACTS_NOW, {"b_contacts": list(typed)})}
        if typed
        else {}
    )
    wanted: list[Claim] = []
    refused: list[dict[str, object]] = []
    for claim in claims:
        row = rows.get(claim.outbox_id)
        if row is None:
            continue  # taken back by the sweeper (and perhaps claimed again), or erased
        if claim.contact_id is None:
            wanted.append(claim)  # a typed number has no STOP of its own; checked at the claim
            continue
        contact = row if row.contact_id == claim.contact_id else members.get(claim.contact_id)
        if contact is None:
            continue  # erased with its contact
        if contact.opted_out_at is None and contact.unusable_at is None:
            wanted.append(claim)
            continue
        reason = "opted out" if contact.opted_out_at is not None else "number cannot take texts"
        refused.append(
            {"b_id": claim.outbox_id, "b_attempt": claim.attempt, "b_reason": reason, "b_now": now}
        )
    if refused:
        connection.execute(_NOT_TRIED, refused)
    return wanted
