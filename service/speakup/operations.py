"""Raise a concern, follow it with its code, and answer it as the guardian; nobody is named."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import metrics, validation
from service.crypto import vault_of
from service.errors import DomainError, NotFound
from service.organisations.models import Organisation
from service.speakup import codes
from service.speakup.models import SpeakUpCase, SpeakUpMessage, SpeakUpReceipt, SpeakUpThrottle

# Wrong codes from one number or kiosk: 5 a minute, then wait for the minute to pass.
GUESSES_PER_MINUTE = 5
# Wrong codes for one case (its first characters matched): 5, then locked for 15 minutes,
# doubling each time after; a lock only ever slows guessing, it never closes the case.
CASE_FAILURES_BEFORE_LOCK = 5
CASE_LOCK = dt.timedelta(minutes=15)
# New concerns from one number or kiosk in an hour, so a script cannot flood the guardian.
NEW_CASES_PER_HOUR = 5
MAX_TEXT = 2000


def coarse(now: dt.datetime) -> dt.datetime:
    """The day only: a case's one kept time must not line up with a call or a message log."""
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


class SpeakUpRefused(DomainError):
    """The request cannot go ahead: a polite reason is in the message."""


class WrongCode(SpeakUpRefused):
    """No case has that code."""


class TooManyTries(SpeakUpRefused):
    """Too many tries from this number or kiosk, or on this case; wait wait_seconds."""

    def __init__(self, message: str, wait_seconds: int) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds


@dataclass(frozen=True)
class Raised:
    """A new case and the code that follows it; the code is shown once and never stored."""

    case: SpeakUpCase
    code: str


def _throttle(
    session: Session, key: str, *, limit: int, window: dt.timedelta, now: dt.datetime
) -> None:
    """Count one attempt under key; TooManyTries once the window holds more than limit."""
    # Every window is an hour at most: rows older than that only say who tried, so they go
    # now rather than at the next purge.
    session.execute(
        delete(SpeakUpThrottle).where(SpeakUpThrottle.window_start < now - dt.timedelta(hours=1))
    )
    row = session.get(SpeakUpThrottle, key, with_for_update=True)
    if row is None:
        row = SpeakUpThrottle(key=key, window_start=now, count=0)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # another request made it first: use theirs
            row = session.get_one(SpeakUpThrottle, key, with_for_update=True)
    if now - row.window_start >= window:
        row.window_start, row.count = now, 0
    if row.count >= limit:
        metrics.throttled("speakup")
        wait = int((row.window_start + window - now).total_seconds()) + 1
        raise TooManyTries("too many tries", wait)
    row.count += 1
    session.flush()


def sender_key(session: Session, kind: str, who: str) -> str:
    """The throttle key for a number or a kiosk: a keyed hash no other table can match."""
    return f"{kind}:" + vault_of(session).purpose_hash("frontline speak-up throttle v1", who)


def raise_concern(
    session: Session,
    org: Organisation,
    *,
    text: str,
    channel: str,
    sender: str,
    now: dt.datetime,
    recording_url: str | None = None,
) -> Raised:
    """Open a case with the worker's first message; the code comes back once, here."""
    body = validation.required_text("concern", text, max_length=MAX_TEXT)
    _throttle(
        session,
        sender_key(session, "new", sender),
        limit=NEW_CASES_PER_HOUR,
        window=dt.timedelta(hours=1),
        now=now,
    )
    for _ in range(20):  # a locator clash is rare (1 in 32,768 per open case); draw again
        code = codes.new_code()
        taken = session.scalar(
            select(SpeakUpCase.id).where(
                SpeakUpCase.organisation_id == org.id,
                SpeakUpCase.locator == codes.locator(code),
            )
        )
        if taken is None:
            break
    else:
        raise SpeakUpRefused("no free case code")
    case = SpeakUpCase(
        organisation_id=org.id,
        locator=codes.locator(code),
        code_hash=codes.hash_code(code),
        channel=channel,
        last_activity_at=coarse(now),
    )
    case.messages.append(
        SpeakUpMessage(
            author="worker",
            body_encrypted=vault_of(session).encrypt(body),
            recording_url=recording_url,
        )
    )
    session.add(case)
    session.flush()
    return Raised(case, code)


def open_case(
    session: Session, org: Organisation, typed: str, *, sender: str, now: dt.datetime
) -> SpeakUpCase:
    """The case a typed code opens; wrong codes are throttled per sender and per case."""
    guesser = sender_key(session, "guess", sender)
    row = session.get(SpeakUpThrottle, guesser)
    recent = row is not None and now - row.window_start < dt.timedelta(minutes=1)
    if recent and row.count >= GUESSES_PER_MINUTE:
        wait = int((row.window_start + dt.timedelta(minutes=1) - now).total_seconds()) + 1
        metrics.throttled("speakup")
        raise TooManyTries("too many wrong codes from here", wait)
    code = codes.normalise(typed)
    case = (
        session.scalar(
            select(SpeakUpCase)
            .where(
                SpeakUpCase.organisation_id == org.id,
                SpeakUpCase.locator == codes.locator(code),
            )
            .with_for_update()
        )
        if code
        else None
    )
    if case is not None and case.locked_until is not None and case.locked_until > now:
        metrics.throttled("speakup")
        raise TooManyTries("the case is locked", int((case.locked_until - now).total_seconds()) + 1)
    if case is None or not codes.matches(code, case.code_hash):
        # Only wrong codes count against the sender, so a worker reading their case often
        # is never slowed down.
        _throttle(
            session, guesser, limit=GUESSES_PER_MINUTE, window=dt.timedelta(minutes=1), now=now
        )
        if case is not None:
            case.failed_attempts += 1
            if case.failed_attempts % CASE_FAILURES_BEFORE_LOCK == 0:
                rounds = case.failed_attempts // CASE_FAILURES_BEFORE_LOCK
                case.locked_until = now + CASE_LOCK * 2 ** min(rounds - 1, 6)
        session.flush()
        raise WrongCode("no case has that code")
    case.failed_attempts = 0
    case.locked_until = None
    return case


def _append(
    session: Session,
    case: SpeakUpCase,
    author: str,
    text: str,
    now: dt.datetime,
    *,
    recording_url: str | None = None,
) -> SpeakUpMessage:
    message = SpeakUpMessage(
        author=author,
        body_encrypted=vault_of(session).encrypt(
            validation.required_text("message", text, max_length=MAX_TEXT)
        ),
        # A guardian's reply waits to be read; the worker's own words never do.
        unread=author == "guardian",
        recording_url=recording_url,
    )
    case.messages.append(message)
    case.last_activity_at = coarse(now)
    session.flush()
    return message


def add_worker_message(
    session: Session,
    case: SpeakUpCase,
    text: str,
    now: dt.datetime,
    *,
    recording_url: str | None = None,
) -> SpeakUpMessage:
    """The worker adds more to their case (it reopens if the guardian had closed it)."""
    case.status = "open"
    return _append(session, case, "worker", text, now, recording_url=recording_url)


def guardian_replies(session: Session, case: SpeakUpCase) -> list[tuple[str, bool]]:
    """The guardian's replies, oldest first, each flagged if new; reading marks them read."""
    vault = vault_of(session)
    found = []
    for message in case.messages:
        if message.author == "guardian":
            found.append((vault.decrypt(message.body_encrypted), message.unread))
            message.unread = False
    session.flush()
    return found


def messages(session: Session, case: SpeakUpCase) -> list[tuple[str, str, str | None]]:
    """Every message of a case, in order: (author, text, recording URL)."""
    vault = vault_of(session)
    return [(m.author, vault.decrypt(m.body_encrypted), m.recording_url) for m in case.messages]


def cases(session: Session, organisation_id: int) -> list[SpeakUpCase]:
    """The organisation's cases, open ones first, most recently active first."""
    return list(
        session.scalars(
            select(SpeakUpCase)
            .where(SpeakUpCase.organisation_id == organisation_id)
            .order_by(
                SpeakUpCase.status.desc(),
                SpeakUpCase.last_activity_at.desc(),
                SpeakUpCase.id.desc(),
            )
        )
    )


def case_for(session: Session, organisation_id: int, case_id: int) -> SpeakUpCase:
    """One case of the organisation."""
    case = session.get(SpeakUpCase, case_id)
    if case is None or case.organisation_id != organisation_id:
        raise NotFound("no such case")
    return case


def reply(session: Session, case: SpeakUpCase, text: str, now: dt.datetime) -> SpeakUpMessage:
    """The guardian answers; the worker reads it next time they open the case."""
    return _append(session, case, "guardian", text, now)


def set_status(session: Session, case: SpeakUpCase, status: str, now: dt.datetime) -> None:
    """Close a case, or open it again."""
    if status not in ("open", "closed"):
        raise SpeakUpRefused("a case is open or closed")
    case.status, case.last_activity_at = status, coarse(now)
    session.flush()


def seen_before(session: Session, message_sid: str, now: dt.datetime) -> bool:
    """True when this webhook was handled already; otherwise remember it (for a day)."""
    key = vault_of(session).purpose_hash("frontline speak-up receipt v1", message_sid)
    if session.get(SpeakUpReceipt, key) is not None:
        return True
    try:
        with session.begin_nested():
            session.add(
                SpeakUpReceipt(
                    sid_hash=key, received_hour=now.replace(minute=0, second=0, microsecond=0)
                )
            )
    except IntegrityError:  # a concurrent retry got there first
        return True
    return False
