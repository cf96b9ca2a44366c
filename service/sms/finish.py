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

A YES to a consent question adds its membership, the month's tally of joins and the member's
discretion to that statement (a Consent): four statements fewer. Its answer was written before
them, from what was read with the contact, so the statement writes only while the contact's
row is as read (its version: every membership change updates the row too) and the member's
other sensitive groups are as the answer took them. Otherwise it writes nothing and raises
ContactChanged: the text is answered again, as one that writes as it reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import CTE, Select, bindparam, func, literal, literal_column, select, true, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from service.contacts.models import Contact, Membership
from service.contacts.operations import JOINED_COLUMNS
from service.content.models import Network
from service.db import Prepared, RowVersion, utcnow
from service.errors import ContactGone
from service.reach.models import ReachTally
from service.sms.models import ConversationState, InboundMessage

_CONTACT = Contact.__table__
_STATE = ConversationState.__table__
_INBOUND = InboundMessage.__table__
_MEMBERSHIP = Membership.__table__
_NETWORK = Network.__table__
_TALLY = ReachTally.__table__


@dataclass(frozen=True)
class Consent:
    """A YES's join, as its answer took it: written by write() with the text's last writes."""

    network_id: int
    channel: str
    consent_version: str
    # The contact row's version as read (lookup.Found.version): written only if still so.
    contact_version: str
    # Whether the answer took the contact to be in a sensitive group besides this one.
    other_sensitive: bool
    # The contact's discretion once joined, as the answer showed it.
    discreet: bool
    # The tally of joins to add to, if the membership is new: the month and the contact's site.
    month: dt.date
    organisation_id: int
    site_id: int


class ContactChanged(Exception):
    """The contact changed after its consent's answer was written: nothing was written."""


@cache
def _prepared(
    state: tuple[bool, tuple[str, ...]] | None, durable: bool, consent: bool = False
) -> Prepared:
    """Compiled once per shape and run on the driver (service.db.Prepared)."""
    return Prepared(_statement(state, durable, consent))


def _statement(
    state: tuple[bool, tuple[str, ...]] | None, durable: bool, consent: bool = False
) -> Select:
    """Built once per shape: no state written, a new state's columns, or an update's."""
    seen = update(_CONTACT).where(_CONTACT.c.id == bindparam("seen_id"))
    values: dict[str, Any] = {
        "last_seen_at": bindparam("seen_at", type_=_CONTACT.c.last_seen_at.type)
    }
    if consent:
        # The row as read (a row changed while this waited for its lock is checked as it is
        # now), and the other sensitive groups as the answer took them.
        others = (
            select(_MEMBERSHIP.c.id)
            .join(_NETWORK, _NETWORK.c.id == _MEMBERSHIP.c.network_id)
            .where(
                _MEMBERSHIP.c.contact_id == bindparam("seen_id"),
                _MEMBERSHIP.c.network_id != bindparam("j_network_id"),
                _NETWORK.c.sensitive,
            )
            .exists()
        )
        seen = seen.where(
            RowVersion(_CONTACT) == bindparam("seen_version"),
            others == bindparam("seen_other_sensitive"),
        )
        values["discreet"] = bindparam("seen_discreet", type_=_CONTACT.c.discreet.type)
    seen = seen.values(values).returning(_CONTACT.c.id).cte("seen")
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
    statement = select(seen.c.id, claimed.c.id.label("claimed_id"))
    if consent:
        # Every write below is made from the contact's row: none before its lock. No row: the
        # contact changed (or was erased) since it was read.
        joined = _joined(seen)
        statement = (
            statement.add_columns(joined.c.id.label("joined_id"))
            .select_from(seen.outerjoin(claimed, true()).outerjoin(joined, true()))
            .add_cte(_tallied(joined))
        )
    else:
        statement = statement.select_from(seen.outerjoin(claimed, true()))
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


def _joined(seen: CTE) -> CTE:
    """The membership with its consent, from the contact's row; none if it was there already."""
    at = bindparam("j_joined_at", type_=_MEMBERSHIP.c.joined_at.type)
    channel = bindparam("j_channel", type_=_MEMBERSHIP.c.channel.type)
    row = select(
        seen.c.id,
        bindparam("j_network_id", type_=_MEMBERSHIP.c.network_id.type),
        channel,
        at,
        bindparam("j_consent_version", type_=_MEMBERSHIP.c.consent_version.type),
        at,
        channel,
    )
    return (
        insert(_MEMBERSHIP)
        .from_select(list(JOINED_COLUMNS), row)
        .on_conflict_do_nothing(index_elements=["contact_id", "network_id"])
        .returning(_MEMBERSHIP.c.id)
        .cte("joined")
    )


def _tallied(joined: CTE) -> CTE:
    """One more join in the month's tally (reach.count_reach's upsert), for a new membership."""
    row = select(
        bindparam("t_organisation_id", type_=_TALLY.c.organisation_id.type),
        bindparam("t_month", type_=_TALLY.c.month.type),
        bindparam("j_network_id", type_=_TALLY.c.network_id.type),
        bindparam("t_site_id", type_=_TALLY.c.site_id.type),
        bindparam("j_channel", type_=_TALLY.c.channel.type),
        literal("join", _TALLY.c.measure.type),
        literal(1, _TALLY.c["count"].type),
    ).select_from(joined)
    made = insert(_TALLY).from_select(
        ["organisation_id", "month", "network_id", "site_id", "channel", "measure", "count"], row
    )
    return made.on_conflict_do_update(
        index_elements=["organisation_id", "month", "network_id", "site_id", "channel", "measure"],
        set_={"count": _TALLY.c["count"] + made.excluded["count"]},
    ).cte("tallied")


def write(
    session: Session,
    contact_id: int,
    now: dt.datetime,
    state: tuple[bool, dict[str, Any]] | None,
    record: dict[str, Any],
    *,
    durable: bool = True,
    consent: Consent | None = None,
) -> int | None:
    """Mark the contact seen, write the state (context.state_write's) and the inbound row.

    The inbound row's id; None when the MessageSid is already there (a retry claimed it).
    ContactGone when the contact was erased since it was read: its row no longer there to mark,
    nothing is written. durable=False: a reading command's, whose commit need not wait for the
    disk (see above). consent: a YES's join with them, or ContactChanged and nothing written
    (see above).
    """
    session.flush()  # the session's pending writes first, as the ORM's autoflush would
    # Named apart from every column: a parameter named as a column would be SET by an UPDATE.
    params: dict[str, Any] = {"seen_id": contact_id, "seen_at": now}
    if consent is not None:
        params.update(
            seen_version=consent.contact_version,
            seen_other_sensitive=consent.other_sensitive,
            seen_discreet=consent.discreet,
            j_network_id=consent.network_id,
            j_channel=consent.channel,
            j_joined_at=utcnow(),  # as contacts.join_network's
            j_consent_version=consent.consent_version,
            t_organisation_id=consent.organisation_id,
            t_month=consent.month,
            t_site_id=consent.site_id,
        )
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
    row = _prepared(shape, durable, consent is not None).first(session, params)
    if row is None:
        if consent is not None:
            raise ContactChanged(f"contact {contact_id} changed since it was read")
        raise ContactGone(contact_id)
    return row[1]
