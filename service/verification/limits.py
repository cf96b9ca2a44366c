"""What a code or "text me this" may cost: per address, per number, and per organisation a day.

Every text sent on someone's say-so is paid for by the organisation, and SMS pumping earns on
exactly those texts; so each request is counted before anything is queued, and refused when
the asker, the number or the organisation has had enough.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service import metrics
from service.audit import operations as audit
from service.audit.models import AuditEntry
from service.crypto import vault_of
from service.errors import DomainError
from service.organisations.models import Organisation
from service.verification.models import SendRequest

# Codes and "text me this" texts one number may be sent in an hour, from any screen.
MAX_TEXTS_PER_HOUR = 3
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
BUDGET_SPENT = "texts.budget_spent"


class TooManyTexts(DomainError):
    """The number has been sent as many codes or texts this hour as it may be."""


class TooManyTextsToday(TooManyTexts):
    """The number has been sent as many codes or texts today as it may be."""


class TooManyRequests(DomainError):
    """One address has asked for codes or texts for too many numbers this hour."""


class DailyBudgetSpent(DomainError):
    """The organisation has sent as many codes and "text me this" texts today as it allows."""


@dataclass(frozen=True)
class Asker:
    """Who is asking, as far as limits go: the channel, and a browser's address if known."""

    channel: str
    address: str | None = None
    # Regions whose mobiles may be texted (FRONTLINE_ALLOWED_REGIONS).
    regions: frozenset[str] = frozenset({"GB"})
    # Requests one address may make in an hour: a registered kiosk serves a shift, a phone one.
    per_hour: int = 10
    # Codes and texts one number may be sent in a day (FRONTLINE_MAX_DAILY_TEXTS).
    per_number_per_day: int = 10
    # Codes and texts the organisation sends in a day (FRONTLINE_DAILY_CODE_BUDGET).
    daily_budget: int = 500


def admit(
    session: Session,
    org: Organisation,
    e164: str,
    kind: str,
    asker: Asker,
    now: dt.datetime,
    *,
    also_this_hour: int = 0,
    proven: bool = False,
) -> None:
    """Count one request against every limit, or raise the first limit it breaks.

    also_this_hour: texts the number had this hour from elsewhere (the phone line's codes).
    proven: the number's holder proved it at this screen a moment ago (a kiosk visit), so the
    hourly cap, which shields a number from strangers, does not apply; the daily one does.
    """
    vault = vault_of(session)
    # Every key's index: rows from before a data-key change still count.
    requesters = vault.blind_indexes(f"address {asker.address}") if asker.address else ()
    numbers = vault.blind_indexes(e164)
    recent = select(func.count()).where(
        SendRequest.organisation_id == org.id, SendRequest.created_at > now - DAY
    )
    if requesters:
        asked = session.scalar(
            recent.where(
                SendRequest.requester_index.in_(requesters), SendRequest.created_at > now - HOUR
            )
        )
        if (asked or 0) >= asker.per_hour:
            metrics.throttled("verification")
            raise TooManyRequests("this address has asked for enough texts this hour")
    hour, day = session.execute(
        select(
            func.count().filter(SendRequest.created_at > now - HOUR),
            func.count(),
        ).where(
            SendRequest.organisation_id == org.id,
            SendRequest.number_index.in_(numbers),
            SendRequest.created_at > now - DAY,
        )
    ).one()
    if not proven and hour + also_this_hour >= MAX_TEXTS_PER_HOUR:
        metrics.throttled("verification")
        raise TooManyTexts("three texts an hour is the most one number gets")
    if day >= asker.per_number_per_day:
        metrics.throttled("verification")
        raise TooManyTextsToday("the number has had its texts for today")
    if (session.scalar(recent) or 0) >= asker.daily_budget:
        metrics.throttled("verification")
        raise DailyBudgetSpent("the organisation's texts for today are spent")
    session.add(
        SendRequest(
            organisation_id=org.id,
            kind=kind,
            requester_index=requesters[0] if requesters else None,
            number_index=numbers[0],
            created_at=now,
        )
    )


def number_requests_since(
    session: Session, organisation_id: int, e164: str, since: dt.datetime
) -> int:
    """Codes and "text me this" texts asked for this number on any screen since then."""
    return (
        session.scalar(
            select(func.count()).where(
                SendRequest.organisation_id == organisation_id,
                SendRequest.number_index.in_(vault_of(session).blind_indexes(e164)),
                SendRequest.created_at > since,
            )
        )
        or 0
    )


def note_budget_spent(session: Session, org: Organisation, budget: int, now: dt.datetime) -> None:
    """Audit, once a day, that the daily budget refused someone (after the refusal rolled back)."""
    noted = session.scalar(
        select(AuditEntry.id)
        .where(
            AuditEntry.organisation_id == org.id,
            AuditEntry.action == BUDGET_SPENT,
            AuditEntry.created_at > now - DAY,
        )
        .limit(1)
    )
    if noted is None:
        audit.record(session, org.id, None, BUDGET_SPENT, budget=budget)


def budget_spent_since(session: Session, org: Organisation, now: dt.datetime) -> dt.datetime | None:
    """When the daily budget last refused a text, if within the last day: the console warns."""
    return session.scalar(
        select(func.max(AuditEntry.created_at)).where(
            AuditEntry.organisation_id == org.id,
            AuditEntry.action == BUDGET_SPENT,
            AuditEntry.created_at > now - DAY,
        )
    )
