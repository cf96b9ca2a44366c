"""Languages with no translation: send their members the English, or hold them for their text.

Held members are not sent the broadcast while their language has no text of its own. When the
lead adds that text (before or after sending), they are sent it, and only they: everyone else's
row already exists and the outbox's key per broadcast and contact keeps it from being written
twice. A held language nobody ever translates simply never reaches those members.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from service.broadcasts.models import Broadcast
from service.broadcasts.operations import (
    BroadcastStateError,
    audience_kinds,
    restart_fan_out,
)
from service.broadcasts.preview import translated_languages
from service.content.operations import set_translation
from service.errors import ValidationError


def choose_held(session: Session, broadcast: Broadcast, held: Iterable[str]) -> list[str]:
    """Hold these untranslated languages (the others get the English); the languages held."""
    if broadcast.status != "draft":
        raise BroadcastStateError(f"the broadcast is already {broadcast.status}")
    wanted = set(held)
    translated = translated_languages(session, broadcast)
    if wanted & translated:
        # Holding a language that has its text would hold nobody: a stale form.
        raise ValidationError("held", "only a language with no translation can be held")
    broadcast.held_languages = sorted(wanted) or None
    session.flush()
    return sorted(wanted)


def held_people(session: Session, broadcast: Broadcast) -> dict[str, int]:
    """How many people each held language keeps waiting."""
    held = broadcast.held_languages or []
    if not held:
        return {}
    counts = dict.fromkeys(held, 0)
    # Counted by the database, a few kinds of people rather than every person.
    for person, people in audience_kinds(session, broadcast, honour_held=False):
        if person.language in counts:
            counts[person.language] += people
    return counts


def release_held(session: Session, broadcast: Broadcast, language: str, text: str) -> int:
    """Add a held language's text and send it to that language's members; how many they are."""
    if language not in (broadcast.held_languages or []):
        raise ValidationError("language", "that language is not held")
    if broadcast.status == "cancelled":
        raise BroadcastStateError("the broadcast is cancelled")
    if not (text or "").strip():
        raise ValidationError("text", "write the message in that language")
    waiting = held_people(session, broadcast).get(language, 0)
    set_translation(session, broadcast, "body", language, text, reviewed=True)
    broadcast.held_languages = [c for c in broadcast.held_languages or [] if c != language] or None
    if broadcast.status == "sending":
        restart_fan_out(session, broadcast)
    session.flush()
    return waiting
