"""Send outbox rows: claim them with every check, hand each to Twilio, record what happened."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, Future, wait
from contextlib import AbstractContextManager, nullcontext

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    String,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from service.config import Config
from service.contacts.models import Contact
from service.outage import is_unreachable
from service.outbox.claims import Batch, Claim, claim_batch, still_wanted
from service.outbox.models import STATUS_RANK, OutboundMessage
from service.twilio_gateway import (
    OPTED_OUT_CODES,
    UNUSABLE_CODES,
    SendError,
    SendResult,
    Transport,
)

log = logging.getLogger(__name__)
RETRY_BACKOFF = (10, 60, 300, 900, 3600)  # seconds before attempts 2, 3, ...
MAX_ATTEMPTS = len(RETRY_BACKOFF) + 1


_BEFORE_SENT = tuple(s for s, rank in STATUS_RANK.items() if rank < STATUS_RANK["sent"])
_OUT = OutboundMessage.__table__
# Built once: the send loop runs it for every text, and building a statement costs more than
# running it. One statement, its own row lock: a status callback's SID and time, when it got
# here first, are kept, and so is the later status it set. Written whichever claim holds the
# row now: Twilio took the text, and a claim that took the row over since finds it sent.
_RECORD_SENT = (
    update(_OUT)
    .where(_OUT.c.id == bindparam("b_id"))
    .values(
        twilio_sid=func.coalesce(_OUT.c.twilio_sid, bindparam("b_sid")),
        sent_at=func.coalesce(_OUT.c.sent_at, bindparam("b_now", type_=_OUT.c.sent_at.type)),
        # Plain parameters, not an expanding list: SIDs are written several at once.
        status=case(
            (_OUT.c.status.in_([literal(s) for s in _BEFORE_SENT]), "sent"), else_=_OUT.c.status
        ),
    )
)


def record_sent(session: Session | Connection, outbox_id: int, sid: str, now: dt.datetime) -> None:
    """Note Twilio's SID; a status callback that got here first keeps its later status."""
    session.execute(_RECORD_SENT, {"b_id": outbox_id, "b_sid": sid, "b_now": now})


# The refusals that write the contact too; only their record locks the contact's row.
_CONTACT_CODES = OPTED_OUT_CODES | UNUSABLE_CODES
# One statement: the text's contact, read without a lock and locked as an UPDATE of its other
# columns would (FOR NO KEY UPDATE, lookup.lock_sender's); no row once the contact is erased.
_LOCK_CONTACT_OF = (
    select(Contact)
    .where(
        Contact.id
        == select(OutboundMessage.contact_id)
        .where(OutboundMessage.id == bindparam("b_id"))
        .scalar_subquery()
    )
    .with_for_update(key_share=True, of=Contact)
    .execution_options(populate_existing=True)  # as it is now, under the lock
)


def record_failure(
    session: Session, outbox_id: int, attempt: int, error: SendError, now: dt.datetime
) -> float | None:
    """Record a refusal of the row's claim `attempt`; seconds before retrying, None if final."""
    contact = None
    if error.code in _CONTACT_CODES:
        # The contact's row before the text's, as every write about a member locks it first:
        # an erasure locks the contact, then deletes their texts, so the other order deadlocked
        # with it.
        contact = session.scalars(_LOCK_CONTACT_OF, {"b_id": outbox_id}).one_or_none()
    row = session.get(OutboundMessage, outbox_id, with_for_update=True)
    if row is None:
        return None  # erased with its contact meanwhile: nothing is left to record
    if row.status != "sending" or row.attempts != attempt:
        # The lease ran out and the row is another claim's now (or done): that one decides.
        return None
    row.error_code = error.code
    if error.transient and row.attempts < MAX_ATTEMPTS:
        delay = RETRY_BACKOFF[row.attempts - 1]
        row.status, row.next_attempt_at = "pending", now + dt.timedelta(seconds=delay)
        row.queued_at = row.next_attempt_at  # the retry is queued for then
        return delay
    row.status, row.finished_at = "failed", now
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
    database_session, held: Sequence[tuple[int, str]], now_fn, sleep, patience: float
) -> None:
    # Twilio has taken these texts: losing their record would send them again once the lease
    # runs out, so ride out a short database outage here, holding the SIDs in memory.
    waited, pause = 0.0, 0.5
    while True:
        try:
            with database_session() as session:
                record_sent_many(session, held, now_fn())
            return
        except Exception as exc:
            if not is_unreachable(exc) or waited >= patience:
                raise
            log.warning("outbox: %d sent, database unreachable; recording again", len(held))
            sleep(pause)
            waited += pause
            pause = min(pause * 2, 5.0)


# On PostgreSQL the SIDs come back a few at a time and are written by one statement over
# arrays, not one a text: the tallies' trigger runs once a statement (migration 0040), and the
# server parses and plans one update, not one a row.
_RECORD_SENT_SQL = (
    "UPDATE outbound_message AS o SET"
    " twilio_sid = coalesce(o.twilio_sid, v.sid),"
    " sent_at = coalesce(o.sent_at, :b_now),"
    " status = CASE WHEN o.status IN ("
    + ", ".join(f"'{s}'" for s in _BEFORE_SENT)
    + ") THEN 'sent' ELSE o.status END"
    " FROM unnest(:b_ids, :b_sids) AS v (id, sid) WHERE o.id = v.id"
)
_RECORD_SENT_ARRAYS = text(_RECORD_SENT_SQL).bindparams(
    bindparam("b_now", type_=_OUT.c.sent_at.type),
    bindparam("b_ids", type_=ARRAY(Integer)),
    bindparam("b_sids", type_=ARRAY(String)),
)


# A window's one round trip on PostgreSQL: the SIDs come back since the last are written, and
# the texts about to go are read again for a STOP (what claims._STILL_SENDING reads). Under
# load each round trip to the server waits for the CPU on both sides, a few to tens of
# milliseconds: four (begin, record, check, commit) a window held texts back from going.
# The update's rows are others than the check's (sent, not sending), so its snapshot, taken
# before the update, reads the same as a statement after it would. Built of this module's
# constants alone.
_RECORD_AND_STILL_SENDING = text(
    "WITH recorded AS (" + _RECORD_SENT_SQL + " RETURNING o.id)"  # noqa: S608 (constants)
    " SELECT m.id, m.attempts, m.contact_id, c.opted_out_at, c.unusable_at"
    " FROM outbound_message AS m LEFT OUTER JOIN contact AS c ON c.id = m.contact_id"
    " WHERE m.id = ANY(:b_go) AND m.status = 'sending'"
).bindparams(
    bindparam("b_now", type_=_OUT.c.sent_at.type),
    bindparam("b_ids", type_=ARRAY(Integer)),
    bindparam("b_sids", type_=ARRAY(String)),
    bindparam("b_go", type_=ARRAY(Integer)),
)


def record_and_check(
    connection: Connection, held: Sequence[tuple[int, str]], going: Sequence[Claim], now
) -> list[Claim]:
    """Write the SIDs held, then the claims about to go that are still wanted (still_wanted)."""
    if held and going and _dialect(connection) == "postgresql":
        ids, sids = zip(*held, strict=True)
        parameters = {"b_now": now, "b_ids": list(ids), "b_sids": list(sids)}
        rows = connection.execute(
            _RECORD_AND_STILL_SENDING, {**parameters, "b_go": [c.outbox_id for c in going]}
        ).all()
        return still_wanted(connection, going, now, rows)
    record_sent_many(connection, held, now)
    return still_wanted(connection, going, now)


def _dialect(session: Session | Connection) -> str:
    return (session.get_bind() if isinstance(session, Session) else session).dialect.name


def record_sent_many(
    session: Session | Connection, held: Sequence[tuple[int, str]], now: dt.datetime
) -> None:
    """Note Twilio's SIDs of several texts in one statement (see record_sent)."""
    if len(held) == 1:
        record_sent(session, *held[0], now)
    elif held and _dialect(session) == "postgresql":
        ids, sids = zip(*held, strict=True)
        session.execute(
            _RECORD_SENT_ARRAYS, {"b_now": now, "b_ids": list(ids), "b_sids": list(sids)}
        )
    elif held:
        session.execute(_RECORD_SENT, [{"b_id": i, "b_sid": sid, "b_now": now} for i, sid in held])


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
    """Claim the rows at once, then send them, a window at a time; the rows to try later.

    The batch is claimed with every check in one transaction. Then texts go with up to
    config.SEND_WINDOW of them in flight at Twilio (one at a time through a transport that
    cannot start a send and go on). Each short transaction writes the SIDs come back since
    the last, and reads again whether the contacts of the texts about to go have sent STOP
    meanwhile: so a STOP is honoured from the very next send, and a text goes only when at
    most the window's other texts are unrecorded (a crash sends at most those again).
    `pace` answers how long to wait before the next send (0: go now); the rows past the pace
    come back with that delay, unclaimed.
    """
    later: dict[int, float] = {}
    go_now = len(outbox_ids)
    for position in range(len(outbox_ids)):
        if wait := pace():
            later.update(dict.fromkeys(outbox_ids[position:], wait))
            go_now = position
            break
    if not go_now:
        return later
    try:
        with database_session() as session:
            batch = claim_batch(session, outbox_ids[:go_now], config, now_fn())
    except Exception as exc:
        if is_unreachable(exc):
            raise DatabaseUnreachable(type(exc).__name__, outbox_ids) from exc
        raise
    later.update(batch.later)
    later.update(
        send_claimed(database_session, batch, config, transport, now_fn, status_callback_url, sleep)
    )
    return later


def send_claimed(
    database_session,
    batch: Batch,
    config: Config,
    transport: Transport,
    now_fn,
    status_callback_url: str | None,
    sleep=time.sleep,
) -> dict[int, float]:
    """Send a batch's claims, a window at a time (see send_batch); the rows to try later."""
    if not batch.claims:
        return {}
    sender = _Sender(
        transport,
        config.SEND_WINDOW if hasattr(transport, "start_send") else 1,
        status_callback_url,
    )
    with _connection(batch.bind) as connection:
        return sender.send_all(
            connection,
            database_session,
            batch.claims,
            now_fn,
            sleep,
            config.OUTBOX_LEASE_SECONDS / 2,
        )


def _connection(bind: Engine | Connection) -> AbstractContextManager[Connection]:
    # A session bound to a connection already (a test's rolled-back transaction) lends it.
    if not isinstance(bind, Engine):
        return nullcontext(bind)
    if bind.dialect.name == "postgresql":
        # A window's statement commits as it ends: no BEGIN and COMMIT round trips besides it
        # (what it writes needs no other statement's company; see _RECORD_AND_STILL_SENDING).
        return bind.connect().execution_options(isolation_level="AUTOCOMMIT")
    return bind.connect()


def _transaction(connection: Connection) -> AbstractContextManager:
    return connection.begin_nested() if connection.in_transaction() else connection.begin()


class _Sender:
    """Texts of one batch in flight at Twilio, at most `window` at once."""

    def __init__(self, transport: Transport, window: int, status_callback_url: str | None):
        self.transport, self.window, self.callback_url = transport, window, status_callback_url
        self.refill = max(1, window // 4)  # free room enough to check and start more texts
        self.flying: dict[Future[SendResult], Claim] = {}

    def start(self, claim: Claim) -> None:
        """Hand one text to the transport: started at once, or sent by the time this returns."""
        callback = self.callback_url.format(id=claim.outbox_id) if self.callback_url else None
        if self.window > 1:
            start_send = self.transport.start_send  # type: ignore[attr-defined]
            future = start_send(to=claim.to, body=claim.body, status_callback=callback)
        else:
            future = Future()
            try:
                future.set_result(
                    self.transport.send(to=claim.to, body=claim.body, status_callback=callback)
                )
            except SendError as error:
                future.set_exception(error)
        self.flying[future] = claim

    def landed(self, *, every: bool = False) -> list[tuple[Claim, object]]:
        """Wait for one text in flight to be answered (or every one); what Twilio said.

        A SendResult, a SendError, or any other exception the send raised (its outcome
        unknown): returned, not raised, so that no answer in the same wait is lost with it.
        """
        done, _ = wait(list(self.flying), return_when=ALL_COMPLETED if every else FIRST_COMPLETED)
        answers: list[tuple[Claim, object]] = []
        for future in done:
            claim = self.flying.pop(future)
            error = future.exception()
            answers.append((claim, error if error is not None else future.result()))
        return answers

    def send_all(
        self,
        connection: Connection,
        database_session,
        claims: Sequence[Claim],
        now_fn,
        sleep,
        patience: float,
    ) -> dict[int, float]:
        """Send the claims in order; the rows Twilio refused for now, with their delays."""
        # One connection for the batch, one short transaction a few texts on it: no session,
        # no pool checkout (and on PostgreSQL no ping) a text. `patience` is half the lease:
        # the sweeper never takes back a row whose SID is still held here.
        later: dict[int, float] = {}
        waiting = deque(claims)
        held: list[tuple[int, str]] = []  # sent, their SIDs not yet on record
        try:
            while waiting or self.flying:
                room = min(self.window - len(self.flying), len(waiting))
                # A few at a time: one transaction writes the SIDs come back and checks the
                # texts to go next, rather than one a text as Twilio's answers trickle in. Once
                # none are waiting, the last SIDs are written together at the end.
                if room and (room >= self.refill or room == len(waiting) or not self.flying):
                    going = [waiting.popleft() for _ in range(room)]
                    with _transaction(connection):
                        wanted = record_and_check(connection, held, going, now_fn())
                    held = []
                    for claim in wanted:
                        self.start(claim)
                if self.flying:
                    self._answered(database_session, self.landed(), held, now_fn, later)
        except Exception as exc:
            # Whatever failed (a transaction rolled back, a refusal not recorded, a send gone
            # wrong), the SIDs of what Twilio has taken are written on their own: lost, the
            # lease would send those texts again. Texts still in flight are waited for first.
            held += [
                (claim.outbox_id, answer.sid)
                for claim, answer in self.landed(every=True)
                if isinstance(answer, SendResult)
            ]
            if held:
                _record_with_patience(database_session, held, now_fn, sleep, patience)
            if is_unreachable(exc):
                # The rows claimed and not sent stay "sending": the lease gives them back.
                raise DatabaseUnreachable(type(exc).__name__) from exc
            raise
        if held:
            _record_with_patience(database_session, held, now_fn, sleep, patience)
        return later

    @staticmethod
    def _answered(database_session, answers, held: list, now_fn, later: dict[int, float]) -> None:
        # The SIDs of the texts Twilio took go to `held` before anything else is written, so a
        # failure below loses none; a refusal is recorded at once, in its own session.
        unknown: BaseException | None = None
        refused: list[tuple[Claim, SendError]] = []
        for claim, answer in answers:
            if isinstance(answer, SendResult):
                held.append((claim.outbox_id, answer.sid))
            elif isinstance(answer, SendError):
                refused.append((claim, answer))
            else:
                unknown = unknown or answer  # its row stays "sending": the lease decides
        for claim, error in refused:
            with database_session() as session:
                delay = record_failure(session, claim.outbox_id, claim.attempt, error, now_fn())
            log.info(
                "outbox %s refused (code %s), %s",
                claim.outbox_id,
                error.code,
                f"retry in {delay}s" if delay else "final",
            )
            if delay:
                later[claim.outbox_id] = delay
        if unknown is not None:
            raise unknown


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
