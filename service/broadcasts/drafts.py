"""Edit a draft broadcast: its text in every language, its audience and its time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy.orm import Session

from service import languages
from service.broadcasts.models import Broadcast
from service.broadcasts.operations import BroadcastStateError, checked_fields
from service.content.operations import set_translation
from service.content.queries import translations_for
from service.organisations.models import Organisation


def translations(session: Session, broadcast: Broadcast) -> dict[str, str]:
    """The broadcast's own text in each language that has one (not English)."""
    found = {}
    for language in languages.CODES[1:]:
        texts = translations_for(session, Broadcast.__tablename__, [broadcast.id], language)
        if texts.get((broadcast.id, "body")):
            found[language] = texts[(broadcast.id, "body")]
    return found


def update_draft(
    session: Session,
    org: Organisation,
    broadcast: Broadcast,
    *,
    body: str,
    audience: str,
    texts: Mapping[str, str],
    network_ids: list[int] | None = None,
    site_id: int | None = None,
    urgent: bool = False,
    scheduled_for: dt.datetime | None = None,
) -> Broadcast:
    """Replace a draft's text, translations, audience and time with what the lead wrote now."""
    if broadcast.status != "draft":
        raise BroadcastStateError(f"the broadcast is already {broadcast.status}")
    fields = checked_fields(
        session, org, body=body, audience=audience, network_ids=network_ids, site_id=site_id
    )
    for name, value in fields.items():
        setattr(broadcast, name, value)
    broadcast.urgent, broadcast.scheduled_for = urgent, scheduled_for
    for language in languages.CODES[1:]:
        # The lead's own words: reviewed as written. Empty text removes the language's text.
        set_translation(
            session, broadcast, "body", language, texts.get(language, ""), reviewed=True
        )
    # A language given its text is no longer waiting for one.
    held = [code for code in broadcast.held_languages or () if not texts.get(code, "").strip()]
    broadcast.held_languages = held or None
    session.flush()
    return broadcast
