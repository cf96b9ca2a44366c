"""Managers: create them, check a password and a TOTP code, and throttle guessing per account."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.errors import DomainError, ValidationError
from service.managers.models import ROLES, Manager, ManagerRole
from service.organisations.models import Organisation

# argon2id with the library's defaults (RFC 9106's second recommended profile).
_hasher = PasswordHasher()
# A password hashed once at import: unknown emails cost as much to check as known ones.
_DUMMY_HASH = _hasher.hash("not a real password, only here to spend the same time")
MIN_PASSWORD_LENGTH = 12
MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=1)
ISSUER = "Frontline Connect"


class SignInRefused(DomainError):
    """Wrong email, password or code; the message never says which."""


class TooManyAttempts(DomainError):
    """The account has failed too often in the last minute; it must wait."""

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
        password_hash=_hasher.hash(password),
        totp_secret=pyotp.random_base32(),
    )
    for role, network_id, site_id in roles:
        if role not in ROLES:
            raise ValidationError("role", f"unknown role {role!r}; choose from {', '.join(ROLES)}")
        manager.roles.append(ManagerRole(role=role, network_id=network_id, site_id=site_id))
    session.add(manager)
    session.flush()
    return manager


def _check_throttle(manager: Manager, now: dt.datetime) -> None:
    start = manager.failed_window_start
    if start is not None and now - start < FAILURE_WINDOW and manager.failed_count >= MAX_FAILURES:
        raise TooManyAttempts(int((start + FAILURE_WINDOW - now).total_seconds()) + 1)


def record_failure(manager: Manager, now: dt.datetime) -> None:
    """Count a failed password or code against this account's minute."""
    start = manager.failed_window_start
    if start is None or now - start >= FAILURE_WINDOW:
        manager.failed_window_start, manager.failed_count = now, 1
    else:
        manager.failed_count += 1


def check_password(session: Session, email: str, password: str, now: dt.datetime) -> Manager:
    """The manager for an email and password; failures are counted per account."""
    manager = session.scalar(select(Manager).where(Manager.email == normalise_email(email)))
    if manager is None or manager.disabled_at is not None:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        raise SignInRefused("wrong email or password")
    _check_throttle(manager, now)
    try:
        _hasher.verify(manager.password_hash, password)
    except VerifyMismatchError:
        record_failure(manager, now)
        raise SignInRefused("wrong email or password") from None
    if _hasher.check_needs_rehash(manager.password_hash):
        manager.password_hash = _hasher.hash(password)
    return manager


def check_code(manager: Manager, code: str, now: dt.datetime) -> None:
    """Accept a TOTP code once (this step or the one either side); count a wrong one."""
    _check_throttle(manager, now)
    totp = pyotp.TOTP(manager.totp_secret or "")
    digits = "".join(c for c in code if c.isdigit())
    step = int(now.timestamp()) // totp.interval
    for offset in (0, -1, 1):
        candidate = step + offset
        if (manager.totp_last_step is None or candidate > manager.totp_last_step) and totp.at(
            candidate * totp.interval
        ) == digits:
            manager.totp_last_step = candidate
            manager.failed_count = 0
            if manager.totp_confirmed_at is None:
                manager.totp_confirmed_at = now
            return
    record_failure(manager, now)
    raise SignInRefused("wrong code")


def provisioning_uri(manager: Manager) -> str:
    """The otpauth:// link an authenticator app reads from the enrolment QR code."""
    return pyotp.TOTP(manager.totp_secret or "").provisioning_uri(
        name=manager.email, issuer_name=ISSUER
    )
