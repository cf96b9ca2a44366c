"""The content version: a token per organisation that changes whenever its published content does.

Every process caches what every member sees (networks, keywords, events, support lines) per
organisation and content version, and reads the version once per request with the organisation
row it loads anyway. Any write to content, through the ORM or a Core UPDATE/DELETE, gives the
organisation a new random token in the same transaction: a cache entry under the old token is
never used again, and a rolled-back change leaves no token behind that a later one could reuse.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import Table, event, update
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.orm.attributes import set_committed_value

from service.content.models import (
    Announcement,
    Event,
    Network,
    NetworkKeyword,
    SkippedDate,
    SupportLine,
    Translation,
)
from service.organisations.models import Organisation, Site

# Content whose rows carry their organisation; a translation names its owner's table instead.
OWNED = (Network, NetworkKeyword, Event, SkippedDate, SupportLine, Announcement, Site)
CONTENT_TABLES = frozenset(m.__tablename__ for m in (*OWNED, Translation))
EVERY_ORGANISATION = 0  # a change whose organisation is not known (a Core DML on translations)


def new_version() -> int:
    """A fresh content version (53 bits: exact in JSON and JavaScript too)."""
    return secrets.randbits(53)


def _changed_organisations(session: Session) -> set[int]:
    found: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, OWNED):
            if obj.organisation_id is not None:
                found.add(obj.organisation_id)
        elif isinstance(obj, Translation):
            if obj.owner_table in CONTENT_TABLES:
                found.add(EVERY_ORGANISATION)
        elif isinstance(obj, Organisation) and obj in session.dirty:
            # Its name, time zone or language show in replies too; a new one has its own token.
            found.add(obj.id)
    return found


def pending_content_change(session: Session) -> bool:
    """Whether the session holds content changes not yet flushed (so not yet versioned)."""
    return bool(_changed_organisations(session))


def bump(session: Session, organisation_ids: set[int]) -> None:
    """Give the organisations (or every one, for EVERY_ORGANISATION) a new content version."""
    version = new_version()
    query = update(Organisation).values(content_version=version)
    if EVERY_ORGANISATION not in organisation_ids:
        query = query.where(Organisation.id.in_(sorted(organisation_ids)))
    # Core on the session's connection: no second flush, and it commits with the content.
    session.connection().execute(query)
    for key, obj in list(session.identity_map.items()):
        if key[0] is Organisation and (
            EVERY_ORGANISATION in organisation_ids or obj.id in organisation_ids
        ):
            set_committed_value(obj, "content_version", version)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: UOWTransaction) -> None:
    changed = _changed_organisations(session)
    if changed:
        bump(session, changed)


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> Any:
    if not (state.is_update or state.is_delete):
        return None
    table = getattr(state.statement, "table", None)
    if isinstance(table, Table) and table.name in CONTENT_TABLES:
        bump(state.session, {EVERY_ORGANISATION})
    return None
