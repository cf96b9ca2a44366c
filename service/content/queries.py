"""The read API every channel uses: content resolved to one language, times in local time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from service import languages
from service.content.models import Announcement, Event, Network, SupportLine, Translation
from service.content.recurrence import occurrences
from service.content.version import pending_content_change
from service.organisations.models import Organisation

Texts = dict[tuple[int, str], str]
T = TypeVar("T")

# What every member sees, per process: {organisation id: (content version, {key: value})}.
# Only the latest version of each organisation is kept, so the cache stays as small as the
# content itself; a publish changes the version and the next request reloads (see version.py).
_cache: dict[int, tuple[int, dict[Hashable, Any]]] = {}


def _cached(session: Session, organisation_id: int, key: Hashable, load: Callable[[], T]) -> T:
    """load(), kept per organisation, key and content version; read from the database once."""
    if pending_content_change(session):
        session.flush()  # a new version comes with the flush, so nothing stale is served
    org = session.get(Organisation, organisation_id)
    if org is None:
        return load()
    version = org.content_version
    entry = _cache.get(organisation_id)
    if entry is None or entry[0] != version:
        entry = (version, {})
        _cache[organisation_id] = entry
    values = entry[1]
    if key not in values:
        values[key] = load()
    return values[key]


def _cached_list(
    session: Session,
    organisation_id: int,
    language: str,
    load: Callable[[Session, int, str], list[T]],
) -> list[T]:
    """load(session, organisation_id, language) through the cache; a copy the caller may change."""
    return list(
        _cached(
            session,
            organisation_id,
            (load.__name__, language),
            lambda: load(session, organisation_id, language),
        )
    )


def clear_cache() -> None:
    """Forget every cached organisation's content (tests; a process never needs to)."""
    _cache.clear()


def translations_for(session: Session, table: str, ids: Iterable[int], language: str) -> Texts:
    """{(row id, field): text} of one table's rows in one language (empty for English)."""
    ids = list(ids)
    if language == languages.DEFAULT or not ids:
        return {}
    rows = session.execute(
        select(Translation.owner_id, Translation.field, Translation.text).where(
            Translation.owner_table == table,
            Translation.owner_id.in_(ids),
            Translation.language == language,
        )
    )
    return {(row.owner_id, row.field): row.text for row in rows}


def _pick(texts: Texts, row_id: int, field: str, english: str) -> str:
    # Per-field fallback: a network with a Polish name but no Polish description shows both.
    return texts.get((row_id, field)) or english


@dataclass(frozen=True)
class NetworkView:
    """A network as a channel shows it, in one language."""

    id: int
    slug: str
    name: str
    short_description: str
    long_description: str
    sensitive: bool
    discreet_name: str
    parent_id: int | None
    keywords: tuple[str, ...]
    english_keywords: tuple[str, ...]
    language: str
    # The band across its poster, "#1F4E9C".
    colour: str

    def typeable_keyword(self) -> str:
        """The keyword to show: the reader's own where phones type it, else the English one."""
        if self.language in languages.TYPEABLE:
            return self.keywords[0]
        return next(iter(self.english_keywords), self.keywords[0])

    def display_name(self, *, discreet: bool) -> str:
        """The name to show: the discreet one for a sensitive network when discretion applies."""
        if self.sensitive and discreet and self.discreet_name:
            return self.discreet_name
        return self.name


def networks(session: Session, organisation_id: int, language: str) -> list[NetworkView]:
    """The organisation's networks, parents before their sub-groups, alphabetical in English."""
    return _cached_list(session, organisation_id, language, _load_networks)


def network_keywords(session: Session, organisation_id: int) -> frozenset[str]:
    """Every keyword of the organisation's networks, in every language (one set per version)."""
    # Every language's keywords are in each language's list, so any one of them will do.
    return _cached(
        session,
        organisation_id,
        "network keywords",
        lambda: frozenset(k for n in networks(session, organisation_id, "en") for k in n.keywords),
    )


def _load_networks(session: Session, organisation_id: int, language: str) -> list[NetworkView]:
    rows = session.scalars(
        select(Network)
        .where(Network.organisation_id == organisation_id)
        .options(selectinload(Network.keywords))
        .order_by(Network.name)
    ).all()
    texts = translations_for(session, Network.__tablename__, (n.id for n in rows), language)
    views = [_network_view(n, texts, language) for n in rows]
    order = {v.id: i for i, v in enumerate(views)}
    # Sub-groups sit right after their parent.
    return sorted(
        views, key=lambda v: (order[v.parent_id] if v.parent_id else order[v.id], v.parent_id or 0)
    )


def _network_view(network: Network, texts: Texts, language: str) -> NetworkView:
    own = [k.word for k in network.keywords if k.language == language]
    english = [k.word for k in network.keywords if k.language == languages.DEFAULT]
    rest = [k.word for k in network.keywords if k.word not in own and k.word not in english]
    return NetworkView(
        id=network.id,
        slug=network.slug,
        name=_pick(texts, network.id, "name", network.name),
        short_description=_pick(texts, network.id, "short_description", network.short_description),
        long_description=_pick(texts, network.id, "long_description", network.long_description),
        sensitive=network.sensitive,
        discreet_name=_pick(texts, network.id, "discreet_name", network.discreet_name),
        parent_id=network.parent_id,
        # The member's own-language keyword first, then English, then the rest.
        keywords=tuple(dict.fromkeys(own + english + rest)),
        english_keywords=tuple(english),
        language=language,
        colour=network.colour,
    )


@dataclass(frozen=True, kw_only=True)
class _EventText:
    """What an event says, in one language: each of its occurrences says the same."""

    network_id: int | None
    title: str
    description: str
    place: str
    site_id: int | None
    site_name: str
    dial_in_number: str | None
    dial_in_pin: str | None
    capacity: int | None
    audio_url: str | None = None


@dataclass(frozen=True, kw_only=True)
class Occurrence(_EventText):
    """One occurrence of an event, with its text in one language and times in local time."""

    event_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    local_start: dt.datetime
    local_end: dt.datetime
    recurring: bool


@dataclass(frozen=True, kw_only=True)
class _EventRow(_EventText):
    """An event as occurrences are made from it, its text in one language."""

    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    rrule: str | None
    # The local days a repeating event does not happen (bank holidays, Christmas).
    skipped: frozenset[dt.date] = frozenset()

    def text(self) -> dict[str, object]:
        """The event's text as keyword arguments, for each occurrence made from it."""
        return {f.name: getattr(self, f.name) for f in fields(_EventText)}

    def may_overlap(self, start: dt.datetime, end: dt.datetime) -> bool:
        """The database's filter: started before end, and not a one-off that ended by start."""
        return self.starts_at < end and (self.rrule is not None or self.ends_at > start)


def _load_events(
    session: Session,
    organisation_id: int,
    *,
    start: dt.datetime,
    end: dt.datetime | None,
    language: str,
    network_ids: Sequence[int] | None = None,
    site_id: int | None = None,
) -> list[_EventRow]:
    query = (
        select(Event)
        .where(
            Event.organisation_id == organisation_id,
            # A one-off event that has ended is out; a recurring one may still have dates ahead.
            or_(Event.rrule.is_not(None), Event.ends_at > start),
        )
        .options(selectinload(Event.site), selectinload(Event.skipped))
    )
    if end is not None:
        query = query.where(Event.starts_at < end)
    if network_ids is not None:
        query = query.where(Event.network_id.in_(list(network_ids)))
    if site_id is not None:
        query = query.where(or_(Event.site_id == site_id, Event.site_id.is_(None)))
    events = session.scalars(query).all()
    texts = translations_for(session, Event.__tablename__, (e.id for e in events), language)
    return [
        _EventRow(
            id=event.id,
            network_id=event.network_id,
            title=_pick(texts, event.id, "title", event.title),
            description=_pick(texts, event.id, "description", event.description),
            place=_pick(texts, event.id, "place", event.place),
            site_id=event.site_id,
            site_name=event.site.name if event.site else "",
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            rrule=event.rrule,
            dial_in_number=event.dial_in_number,
            dial_in_pin=event.dial_in_pin,
            capacity=event.capacity,
            audio_url=event.audio_url,
            skipped=frozenset(s.day for s in event.skipped),
        )
        for event in events
    ]


def _events(
    session: Session,
    organisation_id: int,
    *,
    start: dt.datetime,
    end: dt.datetime,
    language: str,
    network_ids: Sequence[int] | None,
    site_id: int | None,
) -> list[_EventRow]:
    """The events that may have occurrences in [start, end), from the cache when it can answer.

    The cache holds every event not over when it was filled; a window starting before that
    moment (an occurrence looked up after it began) asks the database.
    """
    filled_at, rows = _cached(
        session,
        organisation_id,
        ("events", language),
        lambda: (
            start,
            _load_events(session, organisation_id, start=start, end=None, language=language),
        ),
    )
    if start < filled_at:
        return _load_events(
            session,
            organisation_id,
            start=start,
            end=end,
            language=language,
            network_ids=network_ids,
            site_id=site_id,
        )
    networks_wanted = None if network_ids is None else set(network_ids)
    return [
        row
        for row in rows
        if row.may_overlap(start, end)
        and (networks_wanted is None or row.network_id in networks_wanted)
        and (site_id is None or row.site_id in (site_id, None))
    ]


def upcoming_occurrences(
    session: Session,
    organisation_id: int,
    *,
    start: dt.datetime,
    end: dt.datetime,
    language: str,
    network_ids: Sequence[int] | None = None,
    site_id: int | None = None,
    limit: int | None = None,
) -> list[Occurrence]:
    """Occurrences overlapping [start, end), recurrences expanded, earliest first."""
    first_day = start.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if end > first_day + OCCURRENCE_BLOCK:
        found = _expand(
            session,
            organisation_id,
            start=start,
            end=end,
            language=language,
            network_ids=network_ids,
            site_id=site_id,
        )
        return found[:limit] if limit is not None else found
    # Every member's EVENTS asks for nearly the same window: expand the block of days it falls
    # in once per process and content version, and pick this window's occurrences from it.
    # Each occurrence's times come from its event alone, so the pick equals an expansion of
    # the window itself, in the same order.
    blocks = _cached(session, organisation_id, ("occurrence blocks", language), dict)
    block = blocks.get(first_day)
    if block is None:
        block = _expand(
            session,
            organisation_id,
            start=first_day,
            end=first_day + OCCURRENCE_BLOCK,
            language=language,
            network_ids=None,
            site_id=None,
        )
        blocks.clear()  # only the latest day's block is kept
        blocks[first_day] = block
    wanted = None if network_ids is None else set(network_ids)
    picked = [
        o
        for o in block
        if o.starts_at < end
        and o.ends_at > start
        and (wanted is None or o.network_id in wanted)
        and (site_id is None or o.site_id in (site_id, None))
    ]
    return picked[:limit] if limit is not None else picked


# The days an occurrence block covers from its first UTC midnight: a 21-day EVENTS window
# starting at any moment of that day fits inside it.
OCCURRENCE_BLOCK = dt.timedelta(days=23)


def _expand(
    session: Session,
    organisation_id: int,
    *,
    start: dt.datetime,
    end: dt.datetime,
    language: str,
    network_ids: Sequence[int] | None,
    site_id: int | None,
) -> list[Occurrence]:
    """Occurrences overlapping [start, end), expanded from the events, earliest first."""
    org = session.get_one(Organisation, organisation_id)
    zone = ZoneInfo(org.timezone)
    events = _events(
        session,
        organisation_id,
        start=start,
        end=end,
        language=language,
        network_ids=network_ids,
        site_id=site_id,
    )
    found: list[Occurrence] = []
    for event in events:
        for occ_start, occ_end in occurrences(
            first_start=event.starts_at,
            first_end=event.ends_at,
            rule=event.rrule,
            zone=zone,
            window_start=start,
            window_end=end,
            skipped=event.skipped,
        ):
            found.append(
                Occurrence(
                    **event.text(),
                    event_id=event.id,
                    starts_at=occ_start,
                    ends_at=occ_end,
                    local_start=occ_start.astimezone(zone),
                    local_end=occ_end.astimezone(zone),
                    recurring=event.rrule is not None,
                )
            )
    found.sort(key=lambda o: (o.starts_at, o.title, o.event_id))
    return found


@dataclass(frozen=True)
class SupportLineView:
    """A support line in one language."""

    id: int
    name: str
    phone: str
    hours: str
    description: str
    crisis: bool
    always_open: bool


def support_lines(session: Session, organisation_id: int, language: str) -> list[SupportLineView]:
    """The organisation's support lines, crisis lines first."""
    return _cached_list(session, organisation_id, language, _load_support_lines)


def _load_support_lines(
    session: Session, organisation_id: int, language: str
) -> list[SupportLineView]:
    rows = session.scalars(
        select(SupportLine)
        .where(SupportLine.organisation_id == organisation_id)
        .order_by(SupportLine.crisis.desc(), SupportLine.position, SupportLine.name)
    ).all()
    texts = translations_for(session, SupportLine.__tablename__, (r.id for r in rows), language)
    return [
        SupportLineView(
            id=r.id,
            name=_pick(texts, r.id, "name", r.name),
            phone=r.phone,
            hours=_pick(texts, r.id, "hours", r.hours),
            description=_pick(texts, r.id, "description", r.description),
            crisis=r.crisis,
            always_open=r.always_open,
        )
        for r in rows
    ]


@dataclass(frozen=True)
class AnnouncementView:
    """An announcement in one language."""

    id: int
    network_id: int | None
    body: str
    publish_from: dt.datetime
    audio_url: str | None = None


def live_announcements(
    session: Session,
    organisation_id: int,
    *,
    now: dt.datetime,
    language: str,
    network_ids: Sequence[int] | None = None,
) -> list[AnnouncementView]:
    """Announcements live now, newest first: organisation-wide plus the given networks'."""
    query = select(Announcement).where(
        Announcement.organisation_id == organisation_id,
        Announcement.publish_from <= now,
        or_(Announcement.publish_until.is_(None), Announcement.publish_until > now),
    )
    if network_ids is not None:
        query = query.where(
            or_(Announcement.network_id.is_(None), Announcement.network_id.in_(list(network_ids)))
        )
    rows = session.scalars(query.order_by(Announcement.publish_from.desc())).all()
    texts = translations_for(session, Announcement.__tablename__, (r.id for r in rows), language)
    return [
        AnnouncementView(
            id=r.id,
            network_id=r.network_id,
            body=_pick(texts, r.id, "body", r.body),
            publish_from=r.publish_from,
            audio_url=r.audio_url,
        )
        for r in rows
    ]


def find_occurrence(
    session: Session, organisation_id: int, event_id: int, start: dt.datetime, language: str
) -> Occurrence | None:
    """The occurrence of an event that starts at a given moment, if the event has one."""
    found = upcoming_occurrences(
        session,
        organisation_id,
        start=start,
        end=start + dt.timedelta(seconds=1),
        language=language,
    )
    return next((o for o in found if o.event_id == event_id and o.starts_at == start), None)
