"""Write content: networks and keywords, events, support lines, announcements, translations."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service import keywords, languages, validation
from service.contacts.phone import normalise
from service.content.models import (
    Announcement,
    Event,
    Network,
    NetworkKeyword,
    SupportLine,
    Translation,
)
from service.content.recurrence import parse_rule
from service.errors import KeywordClash, ValidationError
from service.organisations.models import Organisation, Site


def _is_keyword_shape(word: str) -> bool:
    # Letters, digits and the vowel signs of Indic and Arabic scripts (Unicode marks).
    return 2 <= len(word) <= 20 and all(unicodedata.category(c)[0] in "LMN" for c in word)


def _fold_keywords(spec: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    """(language, folded word) pairs, each word once, in the order given."""
    seen: dict[str, str] = {}
    for language, words in spec.items():
        if not languages.is_supported(language):
            raise ValidationError("keywords", f"{language!r} is not a supported language")
        for raw in words:
            word = keywords.fold(raw)
            if not _is_keyword_shape(word):
                raise ValidationError(
                    "keywords", f"{raw!r} must be one word of 2 to 20 letters or digits"
                )
            if word in keywords.reserved_words():
                raise ValidationError(
                    "keywords", f"{word} is a command word and cannot name a network"
                )
            seen.setdefault(word, language)
    return [(language, word) for word, language in seen.items()]


def _check_clashes(
    session: Session, organisation_id: int, pairs: list[tuple[str, str]], network_id: int | None
) -> None:
    query = (
        select(NetworkKeyword.word, Network.name)
        .join(Network, NetworkKeyword.network_id == Network.id)
        .where(
            NetworkKeyword.organisation_id == organisation_id,
            NetworkKeyword.word.in_([word for _, word in pairs]),
        )
    )
    if network_id is not None:
        query = query.where(NetworkKeyword.network_id != network_id)
    clash = session.execute(query.limit(1)).first()
    if clash is not None:
        raise KeywordClash(clash.word, clash.name)


def _checked_keywords(
    session: Session,
    organisation_id: int,
    spec: Mapping[str, Sequence[str]],
    network_id: int | None,
) -> list[tuple[str, str]]:
    pairs = _fold_keywords(spec)
    if not pairs:
        raise ValidationError("keywords", "a network needs at least one keyword")
    _check_clashes(session, organisation_id, pairs, network_id)
    return pairs


def _replace_keywords(session: Session, network: Network, pairs: list[tuple[str, str]]) -> None:
    network.keywords.clear()
    session.flush()
    for language, word in pairs:
        network.keywords.append(
            NetworkKeyword(organisation_id=network.organisation_id, language=language, word=word)
        )
    session.flush()


def set_keywords(
    session: Session, network: Network, spec: Mapping[str, Sequence[str]]
) -> list[NetworkKeyword]:
    """Replace a network's keywords; a word another network of the organisation uses is refused."""
    pairs = _checked_keywords(session, network.organisation_id, spec, network.id)
    _replace_keywords(session, network, pairs)
    return list(network.keywords)


def create_network(
    session: Session,
    org: Organisation,
    *,
    slug: str,
    name: str,
    short_description: str,
    keywords: Mapping[str, Sequence[str]],
    long_description: str = "",
    sensitive: bool = False,
    discreet_name: str = "",
    parent: Network | None = None,
) -> Network:
    """Create a network with its keywords; sensitive networks must have a discreet name."""
    if sensitive and not (discreet_name or "").strip():
        raise ValidationError("discreet_name", "a sensitive network needs a discreet name")
    if parent is not None and parent.organisation_id != org.id:
        raise ValidationError("parent", "the parent network belongs to another organisation")
    # Every check runs before the first write, so a refusal leaves nothing behind.
    pairs = _checked_keywords(session, org.id, keywords, None)
    network = Network(
        organisation_id=org.id,
        slug=validation.slug("slug", slug),
        name=validation.required_text("name", name, max_length=200),
        short_description=validation.required_text(
            "short_description", short_description, max_length=300
        ),
        long_description=validation.optional_text(
            "long_description", long_description, max_length=5000
        ),
        sensitive=sensitive,
        discreet_name=validation.optional_text("discreet_name", discreet_name, max_length=200),
        parent=parent,
    )
    session.add(network)
    session.flush()
    _replace_keywords(session, network, pairs)
    return network


def create_event(
    session: Session,
    org: Organisation,
    *,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    network: Network | None = None,
    description: str = "",
    site: Site | None = None,
    place: str = "",
    rrule: str | None = None,
    dial_in_number: str | None = None,
    dial_in_pin: str | None = None,
    capacity: int | None = None,
    audio_url: str | None = None,
) -> Event:
    """Create a one-off or recurring event; the rule is checked against the start time."""
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ValidationError("starts_at", "times must carry a time zone")
    if ends_at <= starts_at:
        raise ValidationError("ends_at", "the event must end after it starts")
    if network is not None and network.organisation_id != org.id:
        raise ValidationError("network", "the network belongs to another organisation")
    if site is not None and site.organisation_id != org.id:
        raise ValidationError("site", "the site belongs to another organisation")
    if rrule is not None:
        rrule = rrule.strip()
        parse_rule(rrule, starts_at, ZoneInfo(org.timezone))
    if dial_in_pin and not dial_in_pin.isdigit():
        raise ValidationError("dial_in_pin", "a conference PIN is digits only")
    if capacity is not None and capacity < 1:
        raise ValidationError("capacity", "must be at least 1")
    event = Event(
        organisation_id=org.id,
        network=network,
        site=site,
        title=validation.required_text("title", title, max_length=200),
        description=validation.optional_text("description", description, max_length=5000),
        place=validation.optional_text("place", place, max_length=300),
        starts_at=starts_at,
        ends_at=ends_at,
        rrule=rrule or None,
        dial_in_number=normalise(dial_in_number) if dial_in_number else None,
        dial_in_pin=dial_in_pin or None,
        capacity=capacity,
        audio_url=_audio_url(audio_url),
    )
    session.add(event)
    session.flush()
    return event


def create_support_line(
    session: Session,
    org: Organisation,
    *,
    name: str,
    phone: str,
    hours: str = "",
    description: str = "",
    crisis: bool = False,
    always_open: bool = False,
    position: int = 0,
) -> SupportLine:
    """Add a support line; crisis lines are listed first on every channel."""
    line = SupportLine(
        organisation_id=org.id,
        name=validation.required_text("name", name, max_length=200),
        phone=_support_number(phone),
        hours=validation.optional_text("hours", hours, max_length=200),
        description=validation.optional_text("description", description, max_length=2000),
        crisis=crisis,
        always_open=always_open,
        position=position,
    )
    session.add(line)
    session.flush()
    return line


def _support_number(raw: str) -> str:
    # UK short helplines such as Samaritans' 116 123 are not E.164 subscriber numbers.
    digits = re.sub(r"[\s-]", "", raw or "")
    if re.fullmatch(r"116\d{3}|999|111", digits):
        return digits
    return normalise(raw)


def create_announcement(
    session: Session,
    org: Organisation,
    *,
    body: str,
    publish_from: dt.datetime,
    publish_until: dt.datetime | None = None,
    network: Network | None = None,
    audio_url: str | None = None,
) -> Announcement:
    """Publish a notice to the organisation or one network within a window."""
    if publish_until is not None and publish_until <= publish_from:
        raise ValidationError("publish_until", "the window must end after it starts")
    if network is not None and network.organisation_id != org.id:
        raise ValidationError("network", "the network belongs to another organisation")
    announcement = Announcement(
        organisation_id=org.id,
        network_id=network.id if network is not None else None,
        body=validation.required_text("body", body, max_length=1600),
        publish_from=publish_from,
        publish_until=publish_until,
        audio_url=_audio_url(audio_url),
    )
    session.add(announcement)
    session.flush()
    return announcement


def _audio_url(raw: str | None) -> str | None:
    # Twilio fetches the file itself, so it must be a public HTTPS address.
    if not raw:
        return None
    if not raw.startswith("https://") or len(raw) > 500:
        raise ValidationError("audio_url", "must be an https:// address Twilio can fetch")
    return raw


Translatable = Network | Event | SupportLine | Announcement


def set_translation(
    session: Session,
    owner: Translatable,
    field: str,
    language: str,
    text: str,
    *,
    reviewed: bool = False,
) -> Translation | None:
    """Set one field's text in one language; empty text removes it so English shows instead."""
    if field not in owner.translatable:
        raise ValidationError("field", f"{type(owner).__name__} has no translatable {field!r}")
    if language == languages.DEFAULT:
        raise ValidationError("language", "English is the source text; edit the field itself")
    if not languages.is_supported(language):
        raise ValidationError("language", f"{language!r} is not a supported language")
    key = (
        Translation.owner_table == owner.__tablename__,
        Translation.owner_id == owner.id,
        Translation.field == field,
        Translation.language == language,
    )
    value = (text or "").strip()
    if not value:
        session.execute(delete(Translation).where(*key))
        return None
    row = session.scalar(select(Translation).where(*key))
    if row is None:
        row = Translation(
            owner_table=owner.__tablename__, owner_id=owner.id, field=field, language=language
        )
        session.add(row)
    row.text = value
    row.reviewed = reviewed
    session.flush()
    return row


def set_translations(
    session: Session,
    owner: Translatable,
    language: str,
    fields: Mapping[str, str],
    *,
    reviewed: bool = False,
) -> None:
    """Set several fields of one row in one language."""
    for field, text in fields.items():
        set_translation(session, owner, field, language, text, reviewed=reviewed)
