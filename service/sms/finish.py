"""A returning member's text's last writes on PostgreSQL, in one statement.

Seen (the contact's last_seen_at), the conversation state and the answered inbound row were
three statements at the end of nearly every text, each a round trip, each its own work for the
server. One statement of data-modifying CTEs does the three, in the same order of row locks
(the contact first: the state and the inbound row are written from its UPDATE's row).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from service.contacts.models import Contact
from service.db import utcnow
from service.sms.models import ConversationState, InboundMessage

_CONTACT = Contact.__table__
_STATE = ConversationState.__table__
_INBOUND = InboundMessage.__table__


@cache
def _statement(state: tuple[bool, tuple[str, ...]] | None) -> Select:
    """Built once per shape: no state written, a new state's columns, or an update's."""
    seen = (
        update(_CONTACT)
        .where(_CONTACT.c.id == bindparam("seen_id"))
        .values(last_seen_at=bindparam("seen_at", type_=_CONTACT.c.last_seen_at.type))
        .returning(_CONTACT.c.id)
        .cte("seen")
    )
    columns = [c for c in _INBOUND.c if not c.primary_key]
    row = select(
        *(
            seen.c.id if c.key == "contact_id" else bindparam(f"r_{c.key}", type_=c.type)
            for c in columns
        )
    )
    claimed = (
        insert(_INBOUND)
        .from_select([c.key for c in columns], row)
        .on_conflict_do_nothing(index_elements=["message_sid"])
        .returning(_INBOUND.c.id)
        .cte("claimed")
    )
    statement = select(claimed.c.id)
    if state is None:
        return statement
    new, keys = state
    if new:
        given = select(
            *(
                seen.c.id if k == "contact_id" else bindparam(f"s_{k}", type_=_STATE.c[k].type)
                for k in keys
            )
        )
        made = insert(_STATE).from_select(list(keys), given)
        # As context.save_state's upsert: a concurrent text's first row gives way to this one.
        stated = made.on_conflict_do_update(
            index_elements=["contact_id"],
            set_={c.key: made.excluded[c.key] for c in _STATE.c if not c.primary_key},
        )
    else:
        stated = (
            update(_STATE)
            .where(_STATE.c.contact_id == select(seen.c.id).scalar_subquery())
            .values({k: bindparam(f"s_{k}", type_=_STATE.c[k].type) for k in keys})
        )
    return statement.add_cte(stated.cte("stated"))


def write(
    session: Session,
    contact_id: int,
    now: dt.datetime,
    state: tuple[bool, dict[str, Any]] | None,
    record: dict[str, Any],
) -> int | None:
    """Mark the contact seen, write the state (context.state_write's) and the inbound row.

    The inbound row's id; None when the MessageSid is already there (a retry claimed it).
    """
    session.flush()  # the session's pending writes first, as the ORM's autoflush would
    # Named apart from every column: a parameter named as a column would be SET by an UPDATE.
    params = {"seen_id": contact_id, "seen_at": now}
    params.update({f"r_{k}": v for k, v in record.items() if k != "contact_id"})
    shape = None
    if state is not None:
        new, values = state
        # The columns' default and onupdate, given here: a CTE's INSERT or UPDATE is not given
        # them by SQLAlchemy as a statement of its own is.
        if new:
            values = {"list_offset": 0, "updated_at": utcnow(), **values}
        elif "updated_at" not in values:
            values = {**values, "updated_at": utcnow()}
        shape = (new, tuple(sorted(values)))
        params.update({f"s_{k}": v for k, v in values.items() if k != "contact_id"})
    return session.connection().execute(_statement(shape), params).scalar()
