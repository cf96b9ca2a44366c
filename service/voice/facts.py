"""What a menu step turns on besides published content, read in one statement.

Every menu step asks whether a survey is open (the main menu offers it) and, wherever a group
with a discreet name is read out, whether a code was proved on this call. Asked apart, they
were two statements a step; read together, one (UNION ALL of the two queries their own modules
keep), and each module still decides from the rows exactly as it does when it reads them itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import literal_column, null, union_all
from sqlalchemy.orm import Session

from service.surveys.operations import OPEN_AUDIENCES
from service.verification.caller import PROVED_ON_CALL

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
