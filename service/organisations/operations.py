"""Create organisations and sites, and find the organisation behind a Twilio number."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from service import languages, validation
from service.contacts.phone import normalise
from service.db import Prepared, attached, utcnow
from service.errors import DomainError, NotFound, ValidationError
from service.organisations.models import Organisation, OrganisationNumber, Site

SITE_KINDS = ("depot", "care_home", "office", "other")


def create_organisation(
    session: Session,
    *,
    slug: str,
    name: str,
    timezone: str = "Europe/London",
    numbers: tuple[str, ...] = (),
    default_language: str = "en",
) -> Organisation:
    """Create an organisation and claim its Twilio numbers."""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError("timezone", f"{timezone!r} is not a known time zone") from exc
    if not languages.is_supported(default_language):
        raise ValidationError("default_language", f"{default_language!r} is not supported")
    e164s = [_unclaimed(session, raw) for raw in numbers]
    org = Organisation(
        slug=validation.slug("slug", slug),
        name=validation.required_text("name", name, max_length=200),
        timezone=timezone,
        default_language=default_language,
    )
    session.add(org)
    org.numbers.extend(OrganisationNumber(e164=e164) for e164 in e164s)
    session.flush()
    return org


def add_number(session: Session, org: Organisation, raw: str) -> OrganisationNumber:
    """Claim a Twilio number for the organisation; a number belongs to one organisation only."""
    number = OrganisationNumber(e164=_unclaimed(session, raw))
    org.numbers.append(number)
    session.flush()
    return number


def _unclaimed(session: Session, raw: str) -> str:
    e164 = normalise(raw)
    owner = session.scalar(select(OrganisationNumber.id).where(OrganisationNumber.e164 == e164))
    if owner is not None:
        raise ValidationError("numbers", f"{e164} already belongs to an organisation")
    return e164


def add_site(
    session: Session,
    org: Organisation,
    *,
    slug: str,
    name: str,
    kind: str,
    address: str = "",
    kiosk_enabled: bool = False,
    default_language: str = "en",
) -> Site:
    """Add a depot, care home or office to the organisation."""
    if kind not in SITE_KINDS:
        raise ValidationError("kind", f"must be one of {', '.join(SITE_KINDS)}")
    if not languages.is_supported(default_language):
        raise ValidationError("default_language", f"{default_language!r} is not supported")
    site = Site(
        slug=validation.slug("slug", slug),
        name=validation.required_text("name", name, max_length=200),
        kind=kind,
        address=validation.optional_text("address", address, max_length=400),
        kiosk_enabled=kiosk_enabled,
        default_language=default_language,
    )
    org.sites.append(site)
    session.flush()
    return site


def organisation_for_number(session: Session, e164: str) -> Organisation:
    """The organisation that owns the number a message or call arrived on."""
    values = organisation_row(session, e164)
    if values is None:
        raise NotFound("no organisation owns that number")
    return attached(session, Organisation, values)


def organisation_row(session: Session, e164: str) -> dict[str, Any] | None:
    """The row (column key: value) of the organisation that owns the number, read now; None: none.

    What is read is remembered as the number's organisation (see remembered_organisation).
    """
    # Core on the session's connection, the row attached as the ORM would load it: every
    # webhook asks this first, and the ORM's loading cost three times the statement.
    if session.autoflush:
        session.flush()  # as an ORM read's autoflush would (nothing to do: no statement)
    row = _FOR_NUMBER.first(session, {"e164": e164})
    values = None if row is None else dict(zip(_FOR_NUMBER.columns(session), row, strict=True))
    _remember(e164, values)
    return values


# Built and compiled once: every webhook asks it, and building it (and SQLAlchemy's execution
# of it, see service.db.Prepared) costs more than running it.
_FOR_NUMBER = Prepared(
    select(*Organisation.__table__.c)
    .join(OrganisationNumber.__table__)
    .where(OrganisationNumber.__table__.c.e164 == bindparam("e164"))
)


class OrganisationChanged(DomainError):
    """The number's organisation, read now, is not the one remembered and used: ask again."""


# The organisation each number last belonged to, per process: {e164: its row's values}. A
# guess, never an answer: a text's own lookup reads the number's organisation again in the
# statement it runs anyway (service.sms.lookup) and confirms the guess before anything it did
# counts. A number moved to another organisation, an organisation renamed or its content
# changed (a new content_version), is answered again from the row as it is now.
REMEMBERED_NUMBERS = 1024
_remembered: dict[str, dict[str, Any]] = {}


def _remember(e164: str, values: dict[str, Any] | None) -> None:
    if values is None:
        _remembered.pop(e164, None)
        return
    if e164 not in _remembered and len(_remembered) >= REMEMBERED_NUMBERS:
        _remembered.clear()  # numbers come and go rarely: whoever texts next is read again
    _remembered[e164] = values


def remembered_organisation(session: Session, e164: str) -> Organisation:
    """The organisation last found behind the number in this process, to be confirmed.

    Read now (one statement) for a number this process has not seen. Otherwise no statement:
    the caller must read the number's organisation again in a statement of its own and pass it
    to confirm_organisation before anything it does with this one takes effect.
    """
    values = _remembered.get(e164)
    if values is None:
        return organisation_for_number(session, e164)
    return attached(session, Organisation, values)


def confirm_organisation(org: Organisation, e164: str, values: Mapping[str, Any] | None) -> None:
    """Raise OrganisationChanged unless values, the number's organisation read now, is org.

    org as the request used it: every column as read (a console edit changes one; a content
    change, the content_version). What was read is remembered for the next request.
    """
    loaded = org.__dict__
    if values is not None and all(
        key in loaded and loaded[key] == value for key, value in values.items()
    ):
        return
    _remember(e164, None if values is None else dict(values))
    raise OrganisationChanged("the number's organisation has changed since it was remembered")


def forget_organisations() -> None:
    """Forget every remembered number (tests; a process never needs to)."""
    _remembered.clear()


def organisation_by_slug(session: Session, slug: str) -> Organisation:
    """The organisation with the given slug."""
    org = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise NotFound(f"no organisation {slug!r}")
    return org


def set_kiosk(session: Session, site: Site, *, enabled: bool, default_language: str) -> list[str]:
    """Turn a site's kiosk on or off and set the language it starts in; the fields changed."""
    if not languages.is_supported(default_language):
        raise ValidationError(
            "default_language", f"{default_language!r} is not a supported language"
        )
    changed = [
        name
        for name, old, new in (
            ("kiosk_enabled", site.kiosk_enabled, enabled),
            ("default_language", site.default_language, default_language),
        )
        if old != new
    ]
    site.kiosk_enabled, site.default_language = enabled, default_language
    session.flush()
    return changed


# Larger than any one workplace: a typo with extra digits is refused rather than believed.
MAX_HEADCOUNT = 100_000


def set_headcount(session: Session, site: Site, headcount: int | None) -> bool:
    """Set how many staff work at a site (None: not known); True when it changed."""
    if headcount is not None and not 0 < headcount <= MAX_HEADCOUNT:
        raise ValidationError("headcount", f"must be a whole number from 1 to {MAX_HEADCOUNT:,}")
    changed = site.headcount != headcount
    site.headcount = headcount
    session.flush()
    return changed


def _credential_hash(credential: str) -> str:
    # A plain hash is enough: the credential is 256 random bits, not a password.
    return hashlib.sha256(credential.encode()).hexdigest()


def issue_kiosk_credential(session: Session, site: Site) -> str:
    """A new credential for the site's kiosk PC, shown once; any earlier one stops working."""
    credential = secrets.token_urlsafe(32)
    site.kiosk_key_hash = _credential_hash(credential)
    site.kiosk_key_issued_at = utcnow()
    session.flush()
    return credential


def kiosk_credential_matches(site: Site, presented: str | None) -> bool:
    """True when a request carries the credential issued to this site's kiosk."""
    if not presented or site.kiosk_key_hash is None:
        return False
    return hmac.compare_digest(_credential_hash(presented), site.kiosk_key_hash)
