"""Voicemail audio lives at Twilio until we delete it there: queued once our rows are gone."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from service.db import RECORDINGS_KEY

# Session.info key: recording SIDs whose rows this transaction deleted.
_PENDING = "recordings.pending"


def delete_after_commit(session: Session, recording_sids: list[str]) -> None:
    """Delete these recordings at Twilio once the transaction that dropped their rows commits."""
    if recording_sids:
        session.info.setdefault(_PENDING, []).extend(recording_sids)


@event.listens_for(Session, "after_commit")
def _delete_after_commit(session: Session) -> None:
    # Only after commit: a rolled-back erasure must not leave rows pointing at deleted audio.
    sids = session.info.pop(_PENDING, [])
    delete = session.info.get(RECORDINGS_KEY)
    if sids and delete is not None:
        delete(sids)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction: object) -> None:
    if not session.in_transaction():
        session.info.pop(_PENDING, None)
