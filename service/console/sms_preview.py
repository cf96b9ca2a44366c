"""The text each language's members would get for a piece of content, and its SMS segments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import force_locale
from sqlalchemy.orm import Session

from service import languages
from service.content import queries
from service.content.models import Announcement, Event, Network, SupportLine
from service.messaging import replies
from service.messaging.segments import SegmentCount, count

# What the SMS channel looks ahead for a network's "next" meeting and an event's dates.
HORIZON = dt.timedelta(days=92)


@dataclass(frozen=True)
class SmsPreview:
    """One language's text and how it goes out."""

    language: languages.Language
    text: str
    segments: SegmentCount | None  # None when there is nothing to send (no date ahead)
    translated: bool  # False when every field falls back to English


def _network_text(session: Session, network: Network, lang: str, now: dt.datetime) -> str:
    view = next(
        v for v in queries.networks(session, network.organisation_id, lang) if v.id == network.id
    )
    following = queries.upcoming_occurrences(
        session,
        network.organisation_id,
        start=now,
        end=now + HORIZON,
        language=lang,
        network_ids=[network.id],
        limit=1,
    )
    join = f"{replies.word('join', lang)} {view.typeable_keyword()}"
    return replies.network_about(
        view.name, view.short_description, following[0] if following else None, join, lang
    )


def _event_text(session: Session, event: Event, lang: str, now: dt.datetime) -> str:
    found = [
        o
        for o in queries.upcoming_occurrences(
            session,
            event.organisation_id,
            start=now,
            end=now + HORIZON,
            language=lang,
            network_ids=[event.network_id] if event.network_id is not None else None,
        )
        if o.event_id == event.id
    ]
    return replies.event_details(found[0], 1, lang) if found else ""


def _support_text(session: Session, line: SupportLine, lang: str) -> str:
    view = next(
        v for v in queries.support_lines(session, line.organisation_id, lang) if v.id == line.id
    )
    return replies.support_line(view.name, view.phone, "" if view.always_open else view.hours)


def _announcement_text(session: Session, announcement: Announcement, lang: str) -> str:
    texts = queries.translations_for(session, Announcement.__tablename__, [announcement.id], lang)
    return texts.get((announcement.id, "body")) or announcement.body


def sms_previews(
    session: Session, owner: Network | Event | SupportLine | Announcement, now: dt.datetime
) -> list[SmsPreview]:
    """Every language's text for the item, rendered by the same code the SMS replies use."""
    found: list[SmsPreview] = []
    for language in languages.LANGUAGES:
        with force_locale(language.code):
            if isinstance(owner, Network):
                text = _network_text(session, owner, language.code, now)
            elif isinstance(owner, Event):
                text = _event_text(session, owner, language.code, now)
            elif isinstance(owner, SupportLine):
                text = _support_text(session, owner, language.code)
            else:
                text = _announcement_text(session, owner, language.code)
        translated = language.code == languages.DEFAULT or bool(
            queries.translations_for(session, owner.__tablename__, [owner.id], language.code)
        )
        found.append(SmsPreview(language, text, count(text) if text else None, translated))
    return found
