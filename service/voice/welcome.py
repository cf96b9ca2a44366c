"""The start of a call: languages said by name, and the news read to a number once a day."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import languages
from service.crypto import vault_of
from service.keywords import fold
from service.organisations.models import Organisation
from service.voice.models import VoiceNewsHeard

# What a caller may say for each language at the language menu, beside its own name and its
# English name: what an English recogniser writes down when the name is said aloud.
_SPOKEN_NAMES = {
    "pl": ("polsky", "polska", "polskie"),
    "ro": ("romana", "romaneste", "romania"),
    "ur": ("urdoo", "urdo"),
    "pa": ("panjabi", "punjab"),
    "gu": ("gujrati", "gujerati", "gujarat"),
    "so": ("somaali", "somalia", "af soomaali"),
}


def language_hints() -> list[str]:
    """The names a caller may say at the language menu, as speech hints."""
    return [n for lang in languages.LANGUAGES for n in (lang.own_name, lang.english_name)]


def language_for_speech(speech: str) -> str | None:
    """The language whose name the caller said, if any."""
    words = fold(speech).split()
    for lang in languages.LANGUAGES:
        names = {lang.own_name, lang.english_name, *_SPOKEN_NAMES.get(lang.code, ())}
        for name in names:
            folded = fold(name).split()
            if folded and any(words[i : i + len(folded)] == folded for i in range(len(words))):
                return lang.code
    return None


def heard_news_today(session: Session, org: Organisation, caller: str, now: dt.datetime) -> bool:
    """True when this number heard the news today already; else marks it heard now.

    Once a day, not once a call: a worker ringing between jobs, or changing language,
    should reach the menu, not the same news again. The marker is a keyed hash of the day
    and number (see VoiceNewsHeard): the database holds no number and no link to a contact.
    What it gives away is only what a caller from the same number notices, that the news was
    heard from it today.
    """
    day = now.astimezone(ZoneInfo(org.timezone)).date()
    marker = vault_of(session).purpose_hash(
        "frontline voice news heard v1", f"{org.id} {day.isoformat()} {caller}"
    )
    if session.scalar(select(VoiceNewsHeard.id).where(VoiceNewsHeard.marker == marker)):
        return True
    # Yesterday's markers are no use any more: keep only today's.
    session.execute(
        delete(VoiceNewsHeard).where(
            VoiceNewsHeard.organisation_id == org.id, VoiceNewsHeard.heard_on < day
        )
    )
    try:
        with session.begin_nested():
            session.add(VoiceNewsHeard(organisation_id=org.id, marker=marker, heard_on=day))
    except IntegrityError:
        return True  # the same number's other call marked it a moment ago
    return False
