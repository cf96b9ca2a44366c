"""Retention: delete what the service no longer needs, in small batches, each its own commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import Column, Index, any_, delete, func, inspect, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from service.audit.models import AuditEntry
from service.callbacks.models import CallbackRequest
from service.config import Config
from service.db import Database, on_one_core
from service.managers.models import SignInThrottle
from service.outbox.models import FINISHED, OutboundMessage
from service.pacing import Pacer
from service.privacy.recordings import delete_after_commit
from service.privacy.registry import Rule, holders
from service.speakup.models import SpeakUpCase
from service.verification.models import CallerCheck, PendingAction, RequestKey, SendRequest

# Rows deleted per statement: each batch commits, so a big table is never locked for long. A
# batch of expired rows locks only rows no webhook touches. The shorter a batch, the fewer
# webhooks wait behind it: at PURGE_SHARE, EVENTS p99 on 5,000,000 expired texts was 1.19-1.32
# times idle at 1,000 (9,000-11,000 rows/s) against 1.51-1.70 at 5,000 (13,400-15,700 rows/s).
BATCH = 1000


# The core's rules; the channels' come with their holders (see rules()).
RULES = (
    Rule(
        "outbound_message",
        "RETAIN_OUTBOX_DAYS",
        "Texts sent or given up on, counted from when they finished; unsent ones stay",
        OutboundMessage,
        lambda: func.coalesce(
            OutboundMessage.finished_at, OutboundMessage.sent_at, OutboundMessage.created_at
        ),
        lambda _now: [
            OutboundMessage.status.in_(FINISHED | {"sent"}),
            OutboundMessage.contact_id.is_not(None),
        ],
    ),
    Rule(
        "typed_number_text",
        "RETAIN_CODES_DAYS",
        'Codes and "text me this" texts to a number never verified (it holds the number), '
        "counted from when they finished",
        OutboundMessage,
        lambda: func.coalesce(
            OutboundMessage.finished_at, OutboundMessage.sent_at, OutboundMessage.created_at
        ),
        lambda _now: [
            OutboundMessage.contact_id.is_(None),
            OutboundMessage.status.in_(FINISHED | {"sent"}),
        ],
    ),
    Rule(
        "pending_action",
        "RETAIN_CODES_DAYS",
        "Codes texted for kiosk and web requests, once used or expired",
        PendingAction,
        lambda: PendingAction.created_at,
        lambda now: [or_(PendingAction.completed_at.is_not(None), PendingAction.expires_at < now)],
    ),
    Rule(
        "caller_check",
        "RETAIN_CODES_DAYS",
        "Codes texted to check a phone caller, counted from when each was sent",
        CallerCheck,
        lambda: CallerCheck.created_at,
    ),
    Rule(
        "request_key",
        "RETAIN_CODES_DAYS",
        "Browsers' request keys (replay protection for those codes)",
        RequestKey,
        lambda: RequestKey.created_at,
    ),
    Rule(
        "send_request",
        "RETAIN_CODES_DAYS",
        "Counts of codes and texts asked for (keyed hashes of address and number), for limits",
        SendRequest,
        lambda: SendRequest.created_at,
    ),
    Rule(
        "sign_in_throttle",
        "RETAIN_CODES_DAYS",
        "Console password-try counters (a hash of the typed email), counted from their window",
        SignInThrottle,
        lambda: SignInThrottle.window_start,
    ),
    Rule(
        "speakup_case",
        "RETAIN_SPEAKUP_CLOSED_DAYS",
        "Closed speak-up cases and their messages (with voice messages' audio), counted from "
        "their last activity (a day)",
        SpeakUpCase,
        lambda: SpeakUpCase.last_activity_at,
        lambda _now: [SpeakUpCase.status == "closed"],
    ),
    Rule(
        "callback_request",
        "RETAIN_CALLBACKS_DAYS",
        "Call-back requests marked done, counted from when; their voicemails go at Twilio too",
        CallbackRequest,
        lambda: CallbackRequest.closed_at,
        lambda _now: [CallbackRequest.status != "open", CallbackRequest.closed_at.is_not(None)],
    ),
    Rule(
        "audit_entry",
        "RETAIN_AUDIT_DAYS",
        "The console's audit log",
        AuditEntry,
        lambda: AuditEntry.created_at,
    ),
)


def rules() -> tuple[Rule, ...]:
    """Every retention rule: the core's, then each registered package's."""
    return RULES + tuple(rule for holder in holders() for rule in holder.retention)


def cutoff(config: Config, rule: Rule, now: dt.datetime) -> dt.datetime:
    """Rows whose clock started before this are deleted; a row exactly this old is kept."""
    return now - dt.timedelta(days=getattr(config, rule.setting))


def _oldest_first(rule: Rule, key: Column[Any]) -> ColumnElement[Any]:
    """The order a batch takes expired rows in: oldest first where the rule's date is indexed."""
    since = rule.since()
    column = getattr(since, "expression", since)
    # Along the date's index a batch reads only expired rows. By id it reads every newer row
    # with a lower id first, and ids follow time only while rows arrive in order: expired
    # rows written after newer ones (a log restored or imported out of order) made each
    # batch read 460,000-720,000 newer rows first (283-362 ms a batch; 1,752 rows/s against
    # 15,609 by date). Rules that date by a coalesce of columns have no such index, and keep
    # the id order.
    if isinstance(column, Column) and any(_led_by(index, column) for index in column.table.indexes):
        return since
    return key


def _led_by(index: Index, column: Column[Any]) -> bool:
    """Whether the index's first key is the column, over the whole table (not a partial index)."""
    first = index.expressions[0] if index.expressions else None
    where = (index.dialect_kwargs.get(f"{dialect}_where") for dialect in ("postgresql", "sqlite"))
    partial = any(condition is not None for condition in where)
    return isinstance(first, Column) and first.name == column.name and not partial


def purge_batch(session: Session, rule: Rule, config: Config, now: dt.datetime, limit: int) -> int:
    """Delete up to `limit` rows past their period under one rule; how many were deleted."""
    return purge_step(session, rule, config, now, limit)[0]


def purge_step(
    session: Session,
    rule: Rule,
    config: Config,
    now: dt.datetime,
    limit: int,
    *,
    start: Any = None,
) -> tuple[int, Any]:
    """Delete up to `limit` rows past their period, in the rule's order from `start` on.

    Returns how many were deleted and where the next batch starts (the last one's position).
    """
    model = rule.model
    key = inspect(model).primary_key[0]
    order = _oldest_first(rule, key)
    conditions = [rule.since() < cutoff(config, rule, now), *rule.only(now)]
    if start is not None:
        # Past what this run has deleted: the index keeps those rows' entries until a vacuum,
        # and a batch starting from the beginning read them all again (once 5,000,000 expired
        # texts were gone, 38,763 pages and 1.1 s to find none). A row that only qualifies
        # meanwhile behind the start (a code used during the run) goes in the next run.
        conditions.append(order >= start)
    chosen = select(key).where(*conditions).order_by(order).limit(limit)
    if model is not CallbackRequest:
        # One statement a batch: the ids never travel to Python and back (at 5,000,000 expired
        # texts that was a round trip and 500 bound parameters each way for every batch).
        batch = key.in_(chosen.scalar_subquery())
        if session.get_bind().dialect.name == "postgresql":
            # `IN (subquery)` is a join to PostgreSQL's planner, which prices a merge join by
            # reading the key's true lowest value from its index: past the entry of every row
            # purged and not yet vacuumed. With 1,073,500 gone, planning read 3,235 pages
            # (8.7 ms, against 1.4 ms to delete 500 rows). An array of the ids is no join.
            batch = key == any_(func.array(chosen.scalar_subquery()))
        reached = session.scalars(
            delete(model).where(batch).returning(order).execution_options(synchronize_session=False)
        ).all()
        return len(reached), max(reached, default=start)
    found = session.execute(chosen.add_columns(order)).all()
    if not found:
        return 0, start
    ids = [row[0] for row in found]
    recordings = session.scalars(
        select(CallbackRequest.recording_sid).where(
            CallbackRequest.id.in_(ids), CallbackRequest.recording_sid.is_not(None)
        )
    ).all()
    delete_after_commit(session, list(recordings))
    session.execute(delete(model).where(key.in_(ids)).execution_options(synchronize_session=False))
    return len(ids), max(row[1] for row in found)


def expired_count(session: Session, rule: Rule, config: Config, now: dt.datetime) -> int:
    """How many rows are past their period under one rule."""
    on_one_core(session)  # only the progress bar's total: not worth the webhooks' core
    return (
        session.scalar(
            select(func.count())
            .select_from(rule.model)
            .where(rule.since() < cutoff(config, rule, now), *rule.only(now))
        )
        or 0
    )


def purge(
    database: Database,
    config: Config,
    now: dt.datetime,
    *,
    batch: int = BATCH,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, int]:
    """Apply every rule until nothing is left to delete; the number deleted per table.

    progress, when given, hears after each committed batch: the rule, rows deleted, rows due.
    """
    counts: dict[str, int] = {}
    for rule in rules():
        pacer = Pacer(config.PURGE_SHARE)  # its own: another table's batches take other times
        total = 0
        due = 0
        if progress is not None:
            with database.session() as session:
                due = expired_count(session, rule, config, now)
        start = None
        while True:
            pacer.start()
            with database.session() as session:
                deleted, start = purge_step(session, rule, config, now, batch, start=start)
            total += deleted
            if progress is not None and deleted:
                progress(rule.name, deleted, due)
            if deleted < batch:
                break
            pacer.rest(deleted)
        counts[rule.name] = counts.get(rule.name, 0) + total
    return counts
