"""Write content: networks and keywords, events, support lines, announcements, translations."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from service import keywords, languages, validation
from service.contacts.phone import NotCallable, callable_number
from service.content import colours
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
            if word.isdigit():
                raise ValidationError(
                    "keywords", f"{word} is a number, which is read as a choice from a list"
                )
            if word in keywords.reserved_words():
                raise ValidationError(
                    "keywords", f"{word} is a command word and cannot name a network"
                )
            # A text holding a crisis word is answered with the crisis lines before anything
            # else, so JOIN with such a keyword could never join the network.
            if keywords.is_crisis(word):
                raise ValidationError(
                    "keywords", f"{word} reads as a crisis word and cannot name a network"
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


def _network_values(
    *,
    name: str,
    short_description: str,
    long_description: str,
    sensitive: bool,
    discreet_name: str,
) -> dict:
    if sensitive and not (discreet_name or "").strip():
        raise ValidationError("discreet_name", "a sensitive network needs a discreet name")
    return {
        "name": validation.required_text("name", name, max_length=200),
        "short_description": validation.required_text(
            "short_description", short_description, max_length=300
        ),
        "long_description": validation.optional_text(
            "long_description", long_description, max_length=5000
        ),
        "sensitive": sensitive,
        "discreet_name": validation.optional_text("discreet_name", discreet_name, max_length=200),
    }


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
    colour: str | None = None,
) -> Network:
    """Create a network with its keywords; sensitive networks must have a discreet name."""
    if parent is not None and parent.organisation_id != org.id:
        raise ValidationError("parent", "the parent network belongs to another organisation")
    # Every check runs before the first write, so a refusal leaves nothing behind.
    values = _network_values(
        name=name,
        short_description=short_description,
        long_description=long_description,
        sensitive=sensitive,
        discreet_name=discreet_name,
    )
    new_slug = validation.slug("slug", slug)
    if session.scalar(
        select(Network.id).where(Network.organisation_id == org.id, Network.slug == new_slug)
    ):
        raise ValidationError("slug", f"{new_slug} is already the address of another network")
    pairs = _checked_keywords(session, org.id, keywords, None)
    if colour:
        values["colour"] = colours.checked(colour)
    else:
        # No colour chosen: the next one of the palette, so its poster differs from the rest.
        taken = session.scalars(select(Network.colour).where(Network.organisation_id == org.id))
        values["colour"] = colours.default_colour(list(taken))
    network = Network(organisation_id=org.id, slug=new_slug, parent=parent, **values)
    session.add(network)
    session.flush()
    _replace_keywords(session, network, pairs)
    return network


def update_network(
    session: Session,
    network: Network,
    *,
    name: str,
    short_description: str,
    keywords: Mapping[str, Sequence[str]],
    long_description: str = "",
    sensitive: bool = False,
    discreet_name: str = "",
    colour: str | None = None,
) -> Network:
    """Change a network's English text, sensitivity, keywords and colour (its address stays)."""
    values = _network_values(
        name=name,
        short_description=short_description,
        long_description=long_description,
        sensitive=sensitive,
        discreet_name=discreet_name,
    )
    if colour is not None:
        values["colour"] = colours.checked(colour)
    pairs = _checked_keywords(session, network.organisation_id, keywords, network.id)
    for key, value in values.items():
        setattr(network, key, value)
    if sorted(pairs) != sorted((k.language, k.word) for k in network.keywords):
        _replace_keywords(session, network, pairs)
    session.flush()
    return network


def keyword_clash(
    session: Session, organisation_id: int, word: str, network_id: int | None
) -> str | None:
    """Why a word cannot name this network (taken, reserved, malformed), or None if it can."""
    try:
        _check_clashes(session, organisation_id, _fold_keywords({"en": [word]}), network_id)
    except ValidationError as exc:
        return exc.message
    return None


def _dial_in(raw: str) -> str:
    # A number that cannot be dialled at all says so (InvalidPhoneNumber); only a real number
    # of a kind that bills the caller gets the premium explanation.
    try:
        return callable_number(raw, None)
    except NotCallable as exc:
        raise ValidationError("dial_in_number", _DIAL_IN_REFUSED) from exc


_DIAL_IN_REFUSED = "a dial-in number must be an ordinary or freephone number, not premium"


def _event_values(
    org: Organisation,
    *,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    network: Network | None,
    description: str,
    site: Site | None,
    place: str,
    rrule: str | None,
    dial_in_number: str | None,
    dial_in_pin: str | None,
    capacity: int | None,
    audio_url: str | None,
) -> dict:
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
    return {
        "network": network,
        "site": site,
        "title": validation.required_text("title", title, max_length=200),
        "description": validation.optional_text("description", description, max_length=5000),
        "place": validation.optional_text("place", place, max_length=300),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "rrule": rrule or None,
        # Printed on posters and read out by the phone menu: never a number that bills the
        # caller at a premium (the console also holds it to the organisation's regions).
        "dial_in_number": _dial_in(dial_in_number) if dial_in_number else None,
        "dial_in_pin": dial_in_pin or None,
        "capacity": capacity,
        "audio_url": checked_audio_url(audio_url),
    }


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
    event = Event(
        organisation_id=org.id,
        **_event_values(
            org,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            network=network,
            description=description,
            site=site,
            place=place,
            rrule=rrule,
            dial_in_number=dial_in_number,
            dial_in_pin=dial_in_pin,
            capacity=capacity,
            audio_url=audio_url,
        ),
    )
    session.add(event)
    session.flush()
    return event


def update_event(session: Session, event: Event, **fields) -> Event:
    """Change an event; the same checks as creating one, all made before anything changes.

    RSVPs stay with their occurrence times, so one for a date the new rule drops simply
    no longer matches an occurrence.
    """
    org = session.get_one(Organisation, event.organisation_id)
    current = {
        "title": event.title,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "network": event.network,
        "description": event.description,
        "site": event.site,
        "place": event.place,
        "rrule": event.rrule,
        "dial_in_number": event.dial_in_number,
        "dial_in_pin": event.dial_in_pin,
        "capacity": event.capacity,
        "audio_url": event.audio_url,
    }
    unknown = set(fields) - set(current)
    if unknown:
        raise ValidationError(sorted(unknown)[0], "events have no such field")
    for key, value in _event_values(org, **{**current, **fields}).items():
        setattr(event, key, value)
    session.flush()
    return event


def checked_audio_url(raw: str | None) -> str | None:
    """The address of a recording to play instead of the text, checked; None for none."""
    # Twilio fetches the file itself, so it must be a public HTTPS address.
    if not raw:
        return None
    if not raw.startswith("https://") or len(raw) > 500:
        raise ValidationError("audio_url", "must be an https:// address Twilio can fetch")
    return raw


def check_rule(org: Organisation, rule: str, starts_at: dt.datetime) -> None:
    """Refuse a recurrence rule that cannot anchor at this start (InvalidRecurrence)."""
    parse_rule(rule, starts_at, ZoneInfo(org.timezone))


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


def mark_translations_stale(session: Session, owner: Translatable, fields: Sequence[str]) -> int:
    """When the English of fields changes, their translations need a person's eyes again."""
    fields = [f for f in fields if f in owner.translatable]
    if not fields:
        return 0
    result = session.execute(
        update(Translation)
        .where(
            Translation.owner_table == owner.__tablename__,
            Translation.owner_id == owner.id,
            Translation.field.in_(list(fields)),
            Translation.reviewed.is_(True),
        )
        .values(reviewed=False)
    )
    return result.rowcount or 0


def delete_item(session: Session, item: Event | SupportLine | Announcement) -> None:
    """Remove an event, support line or announcement, with its translations."""
    session.execute(
        delete(Translation).where(
            Translation.owner_table == item.__tablename__, Translation.owner_id == item.id
        )
    )
    session.delete(item)
    session.flush()
