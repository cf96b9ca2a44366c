"""What a menu step turns on besides published content, read in one statement.

Every menu step asks whether a survey is open (the main menu offers it) and, wherever a group
with a discreet name is read out, whether a code was proved on this call. Asked apart, they
were two statements a step; read together, one (UNION ALL of the two queries their own modules
keep), and each module still decides from the rows exactly as it does when it reads them itself.

A step the memo may answer (service.voice.memo) reads them with the organisation's id and
content version, by the number called, in one statement on the driver (read_step_facts): it
needs nothing else from the database, so it opens no session and loads no entity.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, bindparam, cast, literal_column, null, select, union_all
from sqlalchemy.orm import Session

from service.db import DriverRead
from service.organisations.models import Organisation, OrganisationNumber
from service.surveys.models import Survey
from service.surveys.operations import OPEN_AUDIENCES
from service.verification.caller import PROVED_ON_CALL
from service.verification.models import CallerCheck

_SURVEY, _PROVED = 1, 2
# (audience, closes_at, contact_id, kind): a survey's row, or a code proved on the call.
_FACTS = union_all(
    OPEN_AUDIENCES.add_columns(null(), literal_column(str(_SURVEY))),
    PROVED_ON_CALL.with_only_columns(
        null(), null(), *PROVED_ON_CALL.selected_columns, literal_column(str(_PROVED))
    ),
)


@dataclass(frozen=True)
class CallFacts:
    """Open surveys' (audience, closes_at), and the contacts proved on the call."""

    audiences: tuple[tuple[str, dt.datetime], ...]
    proved: tuple[int, ...]


def read_call_facts(session: Session, organisation_id: int, call_sid: str) -> CallFacts:
    """Open surveys and codes proved on this call, in one statement (Core: no ORM entities)."""
    rows = session.connection().execute(
        _FACTS, {"organisation_id": organisation_id, "org": organisation_id, "call_sid": call_sid}
    )
    audiences, proved = [], []
    for audience, closes_at, contact_id, kind in rows:
        if kind == _SURVEY:
            audiences.append((audience, closes_at))
        else:
            proved.append(contact_id)
    return CallFacts(tuple(audiences), tuple(proved))


@dataclass(frozen=True)
class StepFacts:
    """The organisation a call reached (id and content version) and what its steps turn on."""

    organisation_id: int
    content_version: int
    facts: CallFacts


_ORGANISATION, _NUMBER = Organisation.__table__, OrganisationNumber.__table__
_SURVEYS, _CHECKS = Survey.__table__, CallerCheck.__table__
_ORGANISATION_ROW = 0
# The organisation that owns the number called, found once (an uncorrelated subquery).
_OWNER = select(_NUMBER.c.organisation_id).where(_NUMBER.c.e164 == bindparam("e164"))


def _null(column: ColumnElement) -> ColumnElement:
    # Typed: PostgreSQL takes a UNION column's untyped NULLs for text, whatever comes after.
    return cast(null(), column.type)


# (organisation id, content version, audience, closes_at, contact_id, kind): the organisation's
# row, its open surveys as OPEN_AUDIENCES reads them, codes proved as PROVED_ON_CALL reads them.
_STEP = DriverRead(
    union_all(
        select(
            _ORGANISATION.c.id,
            _ORGANISATION.c.content_version,
            _null(_SURVEYS.c.audience),
            _null(_SURVEYS.c.closes_at),
            _null(_CHECKS.c.contact_id),
            literal_column(str(_ORGANISATION_ROW)),
        ).where(_ORGANISATION.c.id == _OWNER.scalar_subquery()),
        select(
            _SURVEYS.c.organisation_id,
            _null(_ORGANISATION.c.content_version),
            _SURVEYS.c.audience,
            _SURVEYS.c.closes_at,
            _null(_CHECKS.c.contact_id),
            literal_column(str(_SURVEY)),
        ).where(
            _SURVEYS.c.organisation_id == _OWNER.scalar_subquery(), _SURVEYS.c.status == "open"
        ),
        select(
            _CHECKS.c.organisation_id,
            _null(_ORGANISATION.c.content_version),
            _null(_SURVEYS.c.audience),
            _null(_SURVEYS.c.closes_at),
            _CHECKS.c.contact_id,
            literal_column(str(_PROVED)),
        ).where(
            _CHECKS.c.organisation_id == _OWNER.scalar_subquery(),
            _CHECKS.c.call_sid == bindparam("call_sid"),
            _CHECKS.c.verified_at.is_not(None),
        ),
    )
)


def read_step_facts(e164: str, call_sid: str) -> StepFacts | None:
    """The called number's organisation and this call's facts, or None when nobody owns it."""
    organisation: tuple[int, int] | None = None
    audiences, proved = [], []
    for organisation_id, version, audience, closes_at, contact_id, kind in _STEP.rows(
        e164=e164, call_sid=call_sid
    ):
        if kind == _ORGANISATION_ROW:
            organisation = (organisation_id, version)
        elif kind == _SURVEY:
            audiences.append((audience, closes_at))
        else:
            proved.append(contact_id)
    if organisation is None:
        return None
    return StepFacts(*organisation, CallFacts(tuple(audiences), tuple(proved)))
