"""Write and read the audit log."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.audit.models import AuditEntry
from service.db import utcnow


def record(
    session: Session, organisation_id: int, manager_id: int | None, action: str, **detail: object
) -> AuditEntry:
    """Add an entry in the caller's transaction, so it stands or falls with the change."""
    entry = AuditEntry(
        organisation_id=organisation_id,
        manager_id=manager_id,
        action=action,
        detail=detail,
        created_at=utcnow(),
    )
    session.add(entry)
    return entry


def recent(session: Session, organisation_id: int, limit: int = 200) -> list[AuditEntry]:
    """The organisation's latest entries, newest first."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.organisation_id == organisation_id)
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
    )
