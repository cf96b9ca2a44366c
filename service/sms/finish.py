"""A returning member's text's last writes on PostgreSQL, in one statement.

Seen (the contact's last_seen_at), the conversation state and the answered inbound row were
three statements at the end of nearly every text, each a round trip, each its own work for the
server. One statement of data-modifying CTEs does the three, in the same order of row locks
(the contact first: the state and the inbound row are written from its UPDATE's row).

A reading command's statement (EVENTS, GROUPS, TALK…: not a JOIN, a consent, a STOP) also lets
its transaction commit without waiting for the WAL to reach the disk (synchronous_commit off,
for that transaction only). The wait was most of such a text's time on PostgreSQL: a one-row
commit on the bench machine took 1.4-1.7 ms median and 8-13 ms p99 with it, 0.07 ms and 5 ms
without. A crash of the database server could then lose the last fraction of a second of such
commits, never anything half-written: a member's last-seen time (not their first text of a
month, which counts a person and waits), the list their text offered, a support line's tally,
and the row that recognises a retry of a text Twilio already had its answer to (the answer
went back in the webhook's response; nothing is queued to send).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, literal_column, select, true, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from service.contacts.models import Contact
from service.db import Prepared, utcnow
from service.errors import ContactGone
from service.sms.models import ConversationState, InboundMessage

_CONTACT = Contact.__table__
_STATE = ConversationState.__table__
_INBOUND = InboundMessage.__table__


@cache
def _prepared(state: tuple[bool, tuple[str, ...]] | None, durable: bool) -> Prepared:
    """Compiled once per shape and run on the driver (service.db.Prepared)."""
    return Prepared(_statement(state, durable))


def _statement(state: tuple[bool, tuple[str, ...]] | None, durable: bool) -> Select:
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
    # The contact's id (no row: it was erased since it was read, and nothing was written) and
    # the inbound row's (NULL: a retry claimed the MessageSid first).
    statement = select(seen.c.id, claimed.c.id.label("claimed_id")).select_from(
        seen.outerjoin(claimed, true())
    )
    if not durable:
        # Evaluated once: for a retry or an erased contact too, whose transaction is rolled back.
        statement = statement.add_columns(
            func.set_config(literal_column("'synchronous_commit'"), literal_column("'off'"), true())
        )
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
    *,
    durable: bool = True,
) -> int | None:
    """Mark the contact seen, write the state (context.state_write's) and the inbound row.

    The inbound row's id; None when the MessageSid is already there (a retry claimed it).
    ContactGone when the contact was erased since it was read: its row no longer there to mark,
    nothing is written. durable=False: a reading command's, whose commit need not wait for the
    disk (see above).
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
    row = _prepared(shape, durable).first(session, params)
    if row is None:
        raise ContactGone(contact_id)
    return row[1]
