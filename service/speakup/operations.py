"""Raise a concern, follow it with its code, and answer it as the guardian; nobody is named."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import metrics, validation
from service.crypto import vault_of
from service.db import count_under_limit
from service.errors import DomainError, NotFound
from service.organisations.models import Organisation
from service.speakup import codes, salt
from service.speakup.models import SpeakUpCase, SpeakUpMessage, SpeakUpReceipt, SpeakUpThrottle

# Wrong codes from one number or kiosk: 5 a minute, then wait for the next minute. Only the
# guesser is slowed: a case is never locked, so nobody can lock its owner out by guessing.
GUESSES_PER_MINUTE = 5
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
    """Too many tries from this number or kiosk; wait wait_seconds."""

    def __init__(self, message: str, wait_seconds: int) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds


@dataclass(frozen=True)
class Raised:
    """A new case and the code that follows it; the code is shown once and never stored."""

    case: SpeakUpCase
    code: str


def sender_key(kind: str, who: str, window: dt.datetime, now: dt.datetime) -> str:
    """The counter key for a number or kiosk in one window, under this hour's salt.

    The salt is not derived from DATA_KEY and is gone within the hour (service.speakup.salt),
    so nothing stored, nor any key in the environment, recomputes it for a known number.
    """
    return f"{kind}:" + salt.keyed(salt.salt_for(now), kind, f"{window.isoformat()}\x00{who}")


def _take(session: Session, key: str, *, limit: int, window: dt.datetime) -> bool:
    """Count one try under key (service.db.count_under_limit); False at the limit."""
    table = SpeakUpThrottle.__table__
    # Last hour's counters go now, not only at the hourly job: their salt is gone already.
    session.execute(delete(table).where(table.c.window_start < salt.hour_start(window)))
    return count_under_limit(session, table, key, limit, window_start=window)


def _give_back(session: Session, key: str) -> None:
    """Undo one counted try (the code was right: reading one's own case is never slowed)."""
    session.execute(
        update(SpeakUpThrottle)
        .where(SpeakUpThrottle.key == key, SpeakUpThrottle.count > 0)
        .values(count=SpeakUpThrottle.count - 1)
        .execution_options(synchronize_session=False)
    )


def _wait(window: dt.datetime, length: dt.timedelta, now: dt.datetime) -> int:
    return int((window + length - now).total_seconds()) + 1


@cache
def _decoy_hash() -> str:
    # Verified when no case has the locator, so a lookup costs one slow hash either way.
    return codes.hash_code(codes.new_code())


def raise_concern(
    session: Session,
    org: Organisation,
    *,
    text: str,
    channel: str,
    sender: str,
    now: dt.datetime,
    voice: bool = False,
) -> Raised:
    """Open a case with the worker's first message; the code comes back once, here."""
    body = validation.required_text("concern", text, max_length=MAX_TEXT)
    hour = salt.hour_start(now)
    if not _take(
        session, sender_key("new", sender, hour, now), limit=NEW_CASES_PER_HOUR, window=hour
    ):
        metrics.throttled("speakup")
        raise TooManyTries("too many new cases", _wait(hour, dt.timedelta(hours=1), now))
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
            voice=voice,
        )
    )
    session.add(case)
    session.flush()
    return Raised(case, code)


def open_case(
    session: Session, org: Organisation, typed: str, *, sender: str, now: dt.datetime
) -> SpeakUpCase:
    """The case a typed code opens; wrong codes are throttled per sender, never per case.

    Every lookup counts first (atomically) and then verifies exactly one slow hash, the case's
    or a decoy's, so a locator that matches a case takes no longer to refuse than one that
    does not.
    """
    minute = now.replace(second=0, microsecond=0)
    guesser = sender_key("guess", sender, minute, now)
    if not _take(session, guesser, limit=GUESSES_PER_MINUTE, window=minute):
        metrics.throttled("speakup")
        raise TooManyTries(
            "too many wrong codes from here", _wait(minute, dt.timedelta(minutes=1), now)
        )
    code = codes.normalise(typed)
    case = (
        session.scalar(
            select(SpeakUpCase).where(
                SpeakUpCase.organisation_id == org.id,
                SpeakUpCase.locator == codes.locator(code),
            )
        )
        if code
        else None
    )
    right = codes.matches(
        code or typed[: codes.LENGTH], case.code_hash if case is not None else _decoy_hash()
    )
    if case is None or not right:
        session.flush()
        raise WrongCode("no case has that code")
    _give_back(session, guesser)
    return case


def _append(
    session: Session,
    case: SpeakUpCase,
    author: str,
    text: str,
    now: dt.datetime,
) -> SpeakUpMessage:
    message = SpeakUpMessage(
        author=author,
        body_encrypted=vault_of(session).encrypt(
            validation.required_text("message", text, max_length=MAX_TEXT)
        ),
        # A guardian's reply waits to be read; the worker's own words never do.
        unread=author == "guardian",
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
) -> SpeakUpMessage:
    """The worker adds more to their case (it reopens if the guardian had closed it)."""
    case.status = "open"
    return _append(session, case, "worker", text, now)


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


def messages(session: Session, case: SpeakUpCase) -> list[tuple[str, str, bool]]:
    """Every message of a case, in order: (author, text, whether it is a voice message)."""
    vault = vault_of(session)
    return [(m.author, vault.decrypt(m.body_encrypted), m.voice) for m in case.messages]


# The largest voice message kept: 180 seconds of Twilio's MP3 is well under 2 MB.
MAX_AUDIO_BYTES = 8 * 1024 * 1024


def store_audio(session: Session, message_id: int, audio: bytes, content_type: str) -> bool:
    """Keep a voice message's audio, encrypted; False when the message is gone (purged)."""
    message = session.get(SpeakUpMessage, message_id)
    if message is None:
        return False
    # An MP3 cut short still plays up to the cut; far longer than the line ever records.
    message.audio_encrypted = vault_of(session).encrypt_bytes(audio[:MAX_AUDIO_BYTES])
    message.audio_type = content_type[:40]
    session.flush()
    return True


def audio_of(session: Session, message: SpeakUpMessage) -> tuple[bytes, str] | None:
    """A voice message's audio and its content type, once copied from Twilio."""
    if message.audio_encrypted is None:
        return None
    return vault_of(session).decrypt_bytes(message.audio_encrypted), message.audio_type or ""


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
    """True when this webhook was handled already; otherwise remember it (within the hour).

    Keyed with the hour's salt: a receipt cannot be recomputed from Twilio's logs and DATA_KEY.
    """
    key = salt.keyed(salt.salt_for(now), "receipt", message_sid)
    session.execute(
        delete(SpeakUpReceipt).where(SpeakUpReceipt.received_hour < salt.hour_start(now))
    )
    if session.get(SpeakUpReceipt, key) is not None:
        return True
    try:
        with session.begin_nested():
            session.add(SpeakUpReceipt(sid_hash=key, received_hour=salt.hour_start(now)))
    except IntegrityError:  # a concurrent retry got there first
        return True
    return False


def purge_hourly(session: Session, now: dt.datetime) -> int:
    """Delete counters and receipts from before this hour; its salt is forgotten beside them."""
    hour = salt.hour_start(now)
    gone = session.execute(delete(SpeakUpThrottle).where(SpeakUpThrottle.window_start < hour))
    receipts = session.execute(delete(SpeakUpReceipt).where(SpeakUpReceipt.received_hour < hour))
    return gone.rowcount + receipts.rowcount
