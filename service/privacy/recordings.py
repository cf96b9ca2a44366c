"""Voicemail audio lives at Twilio until we delete it there: queued once our rows are gone."""

from __future__ import annotations

from sqlalchemy.orm import Session

from service.db import RECORDINGS_KEY, hand_over_after_commit

# Session.info key: recording SIDs whose rows this transaction deleted.
_PENDING = "recordings.pending"


def delete_after_commit(session: Session, recording_sids: list[str]) -> None:
    """Delete these recordings at Twilio once the transaction that dropped their rows commits."""
    if recording_sids:
        session.info.setdefault(_PENDING, []).extend(recording_sids)


# Only after commit: a rolled-back erasure must not leave rows pointing at deleted audio.
hand_over_after_commit(_PENDING, RECORDINGS_KEY)
