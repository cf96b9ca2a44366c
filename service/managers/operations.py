"""Managers: create them, check a password and a TOTP code, and throttle guessing per account."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable

import pyotp
from argon2.exceptions import VerificationError, VerifyMismatchError
from sqlalchemy import ColumnElement, case, delete, func, literal, null, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from service import hashing
from service.audit import operations as audit
from service.db import UTCDateTime
from service.errors import DomainError, ValidationError
from service.managers.models import ROLES, Manager, ManagerRole, SignInThrottle
from service.organisations.models import Organisation

MIN_PASSWORD_LENGTH = 12
# Passwords: 5 tries a minute per typed email, known or not. Not more: a stranger who knows
# a manager's email could otherwise lock them out for long.
MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=1)
# Codes (only someone holding the password gets this far): 5 wrong codes in a row are free,
# then each further one waits twice as long as the last, from 30 seconds up to a day.
FREE_CODE_TRIES = 5
FIRST_CODE_WAIT = dt.timedelta(seconds=30)
LONGEST_CODE_WAIT = dt.timedelta(days=1)
ISSUER = "Frontline Connect"


class SignInRefused(DomainError):
    """Wrong email, password or code; the message never says which."""


class TooManyAttempts(DomainError):
    """The typed email, or the account's codes, failed too often: wait before the next try."""

    def __init__(self, wait_seconds: int) -> None:
        super().__init__(f"wait {wait_seconds} s")
        self.wait_seconds = wait_seconds


def normalise_email(email: str) -> str:
    """An email as stored: trimmed and lower case."""
    return (email or "").strip().lower()


def create_manager(
    session: Session,
    org: Organisation,
    *,
    email: str,
    password: str,
    display_name: str = "",
    roles: Iterable[tuple[str, int | None, int | None]] = (),
) -> Manager:
    """A new manager with a hashed password, a TOTP secret to enrol, and roles."""
    address = normalise_email(email)
    if "@" not in address or len(address) > 320:
        raise ValidationError("email", "an email address is required")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError("password", f"at least {MIN_PASSWORD_LENGTH} characters")
    if session.scalar(select(func.count()).where(Manager.email == address)):
        raise ValidationError("email", "a manager with that email already exists")
    manager = Manager(
        organisation_id=org.id,
        email=address,
        display_name=display_name,
        password_hash=hashing.hasher().hash(password),
        totp_secret=pyotp.random_base32(),
    )
    for role, network_id, site_id in roles:
        if role not in ROLES:
            raise ValidationError("role", f"unknown role {role!r}; choose from {', '.join(ROLES)}")
        manager.roles.append(ManagerRole(role=role, network_id=network_id, site_id=site_id))
    session.add(manager)
    session.flush()
    return manager


def email_key(email: str) -> str:
    """The throttle's key for a typed email: the same whether or not a manager has it."""
    return hashlib.sha256(b"frontline-sign-in:" + normalise_email(email).encode()).hexdigest()


def _at(moment: dt.datetime) -> ColumnElement[dt.datetime]:
    # A time inside CASE is stored as every other time is (naive UTC), whatever the dialect.
    return literal(moment, UTCDateTime())


def _seconds(delta: dt.timedelta) -> int:
    return max(1, int(delta.total_seconds()) + 1)


def _claim_password_try(session: Session, key: str, now: dt.datetime) -> int:
    """Count one password try for an email in one atomic statement; refuse past the limit."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(SignInThrottle)
        .values(key=key, window_start=now, count=0)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    expired = SignInThrottle.window_start <= now - FAILURE_WINDOW
    # Concurrent tries queue on the row: each sees the count the one before it left.
    count = session.execute(
        update(SignInThrottle)
        .where(SignInThrottle.key == key, or_(expired, SignInThrottle.count < MAX_FAILURES))
        .values(
            count=case((expired, 1), else_=SignInThrottle.count + 1),
            window_start=case((expired, _at(now)), else_=SignInThrottle.window_start),
        )
        .returning(SignInThrottle.count)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if count is None:
        start = session.scalar(select(SignInThrottle.window_start).where(SignInThrottle.key == key))
        raise TooManyAttempts(_seconds((start or now) + FAILURE_WINDOW - now))
    return count


def _spend_a_hash(password: str) -> None:
    # Every answer to a password costs one argon2 check, so timing tells nothing.
    with contextlib.suppress(VerificationError):
        hashing.hasher().verify(hashing.dummy_hash(), password)


def _audit_failure(
    session: Session, manager: Manager, step: str, locked_for: dt.timedelta | None
) -> None:
    # A wrong password or code is audited, and so is the lock it set off, if it did.
    audit.record(session, manager.organisation_id, manager.id, "sign_in.failed", step=step)
    if locked_for is not None:
        audit.record(
            session,
            manager.organisation_id,
            manager.id,
            "sign_in.locked",
            step=step,
            seconds=int(locked_for.total_seconds()),
        )


def check_password(session: Session, email: str, password: str, now: dt.datetime) -> Manager:
    """The manager for an email and password; tries are counted per typed email.

    A known and an unknown email get the same answers, throttle included, in the same time.
    """
    key = email_key(email)
    manager = session.scalar(select(Manager).where(Manager.email == normalise_email(email)))
    try:
        count = _claim_password_try(session, key, now)
    except TooManyAttempts:
        _spend_a_hash(password)
        raise
    if manager is None or manager.disabled_at is not None:
        _spend_a_hash(password)
        raise SignInRefused("wrong email or password")
    try:
        hashing.hasher().verify(manager.password_hash, password)
    except VerifyMismatchError:
        # Only an account's own failures are audited: a typed email that is no account's
        # may be a password typed into the wrong box.
        _audit_failure(
            session, manager, "password", FAILURE_WINDOW if count >= MAX_FAILURES else None
        )
        raise SignInRefused("wrong email or password") from None
    session.execute(delete(SignInThrottle).where(SignInThrottle.key == key))
    if hashing.hasher().check_needs_rehash(manager.password_hash):
        manager.password_hash = hashing.hasher().hash(password)
    return manager


def code_wait(failures: int) -> dt.timedelta | None:
    """How long an account waits after this many wrong codes in a row (None: no wait)."""
    if failures < FREE_CODE_TRIES:
        return None
    return min(FIRST_CODE_WAIT * 2 ** (failures - FREE_CODE_TRIES), LONGEST_CODE_WAIT)


def _claim_code_try(session: Session, manager: Manager, now: dt.datetime) -> int:
    """Count one code try in one atomic statement, before the code is looked at.

    The try is counted as wrong (and the wait it earns starts) until the code proves right,
    so parallel guesses queue on the row and only FREE_CODE_TRIES of them are ever checked.
    """
    failures = Manager.totp_failures
    longest = FREE_CODE_TRIES + 12  # 30 s doubled 12 times passes a day
    blocked_until = case(
        (failures + 1 < FREE_CODE_TRIES, null()),
        *[(failures + 1 == n, _at(now + code_wait(n))) for n in range(FREE_CODE_TRIES, longest)],
        else_=_at(now + LONGEST_CODE_WAIT),
    )
    count = session.execute(
        update(Manager)
        .where(
            Manager.id == manager.id,
            or_(Manager.totp_blocked_until.is_(None), Manager.totp_blocked_until <= now),
        )
        .values(totp_failures=failures + 1, totp_blocked_until=blocked_until)
        .returning(Manager.totp_failures)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    session.refresh(manager)
    if count is None:
        raise TooManyAttempts(_seconds((manager.totp_blocked_until or now) - now))
    return count


def check_code(session: Session, manager: Manager, code: str, now: dt.datetime) -> bool:
    """Accept a TOTP code once (this step or the one either side); True when it enrols.

    Wrong codes back off exponentially per account; each is audited, as is each lockout.
    """
    count = _claim_code_try(session, manager, now)
    totp = pyotp.TOTP(manager.totp_secret or "")
    digits = "".join(c for c in code if c.isdigit())[:12]
    step = int(now.timestamp()) // totp.interval
    # Every candidate is compared, in constant time: how long it takes says nothing.
    matches = [
        candidate
        for candidate in (step - 1, step, step + 1)
        if hmac.compare_digest(totp.at(candidate * totp.interval), digits)
    ]
    for candidate in matches:
        # A step is accepted once, even by two requests racing with the same code.
        accepted = session.execute(
            update(Manager)
            .where(
                Manager.id == manager.id,
                or_(Manager.totp_last_step.is_(None), Manager.totp_last_step < candidate),
            )
            .values(totp_last_step=candidate, totp_failures=0, totp_blocked_until=None)
            .returning(Manager.id)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
        session.refresh(manager)
        if accepted is not None:
            enrolled = manager.totp_confirmed_at is None
            if enrolled:
                manager.totp_confirmed_at = now
                audit.record(session, manager.organisation_id, manager.id, "totp.enrol")
            return enrolled
    _audit_failure(session, manager, "code", code_wait(count))
    raise SignInRefused("wrong code")


def end_sessions(session: Session, manager: Manager) -> None:
    """Sign the manager out everywhere: every session cookie issued so far stops working."""
    session.execute(
        update(Manager)
        .where(Manager.id == manager.id)
        .values(session_generation=Manager.session_generation + 1)
        .execution_options(synchronize_session=False)
    )
    session.refresh(manager)
    audit.record(session, manager.organisation_id, manager.id, "sign_out")


def provisioning_uri(manager: Manager) -> str:
    """The otpauth:// link an authenticator app reads from the enrolment QR code."""
    return pyotp.TOTP(manager.totp_secret or "").provisioning_uri(
        name=manager.email, issuer_name=ISSUER
    )
