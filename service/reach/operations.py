"""Count what reached people (one atomic increment per happening) and read the counts back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from service.contacts.models import Contact
from service.content.models import Network
from service.db import Prepared, utcnow
from service.errors import ContactGone
from service.organisations.models import Organisation, Site
from service.reach.models import MEASURES, PERSON, ReachMembers, ReachTally

# Every way in: the contact channels, plus print (a pack downloaded for a noticeboard).
CHANNELS = ("sms", "voice", "kiosk", "web", "print", "console")
CHANNEL_LABELS = {
    "sms": "Text (SMS)",
    "voice": "Phone line",
    "kiosk": "Kiosk",
    "web": "Web page",
    "print": "Print",
    "console": "Console",
}
GROUPINGS = ("network", "channel", "site", "month")
# The table's columns: today's members, then the monthly measures.
COLUMNS = ("members", *MEASURES)
COLUMN_LABELS = {
    "members": "Members now",
    "join": "Joins",
    "leave": "Leaves",
    "rsvp": "RSVPs",
    "support": "Support requests",
    "callback": "Call-back requests",
    "download": "Print downloads",
}
DEFAULT_MONTHS = 12
MAX_MONTHS = 36
# Lines for tallies whose network or site has since been deleted: merged into one line each.
GONE = -1
_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
_KEY = ("organisation_id", "month", "network_id", "site_id", "channel", "measure")


def month_of(org: Organisation, at: dt.datetime) -> dt.date:
    """The first day of the month that `at` falls in, in the organisation's time zone."""
    return at.astimezone(ZoneInfo(org.timezone)).date().replace(day=1)


def add_months(month: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after (or, negative, before) `month`."""
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def count_reach(
    session: Session,
    organisation_id: int,
    *,
    measure: str,
    channel: str,
    network_id: int | None = None,
    site_id: int | None = None,
    at: dt.datetime | None = None,
    amount: int = 1,
) -> None:
    """Add to one month's count, atomically, in the caller's transaction (never who did it)."""
    if measure not in MEASURES and measure != PERSON:
        raise ValueError(f"unknown measure {measure!r}")
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    org = session.get_one(Organisation, organisation_id)
    # Core on the session's connection, after the session's own pending writes (as the ORM's
    # autoflush did, so rows are locked in the same order): the ORM's bulk-insert machinery
    # costs more than the statement on a webhook's path.
    session.flush()
    _upsert(session.get_bind().dialect.name).rowcount(
        session,
        {
            "organisation_id": organisation_id,
            "month": month_of(org, at or utcnow()),
            "network_id": network_id or 0,
            "site_id": site_id or 0,
            "channel": channel,
            "measure": measure,
            "count": amount,
        },
    )


@cache
def _upsert(dialect: str):
    """One month's count plus the amount, inserted if new (an upsert, built once per dialect)."""
    # An upsert, not read-then-write: two workers counting at once must both land.
    stmt = _INSERTS[dialect](ReachTally.__table__)
    column = ReachTally.__table__.c["count"]
    # On the driver (service.db.Prepared): every join, leave and first text of a month runs it.
    return Prepared(
        stmt.on_conflict_do_update(
            index_elements=list(_KEY), set_={"count": column + stmt.excluded["count"]}
        )
    )


def count_for_contact(
    session: Session, contact: Contact, *, measure: str, channel: str, network_id: int | None
) -> None:
    """Count what a contact did at their organisation and their site (never who did it)."""
    count_reach(
        session,
        contact.organisation_id,
        measure=measure,
        channel=channel,
        network_id=network_id,
        site_id=contact.site_id,
    )


def month_start(org: Organisation, month: dt.date) -> dt.datetime:
    """The moment a month begins in the organisation's time zone, in UTC."""
    zone = ZoneInfo(org.timezone)
    return dt.datetime(month.year, month.month, 1, tzinfo=zone).astimezone(dt.UTC)


def count_person(
    session: Session,
    contact: Contact,
    *,
    channel: str,
    site_id: int | None = None,
    created: bool = False,
    now: dt.datetime | None = None,
) -> bool:
    """Note that a contact was heard from; their first time in a month counts one person.

    Distinct people are counted without keeping anything new about anyone: the contact's
    last_seen_at, which the service already keeps, says whether this month has counted them
    yet. The person is counted under the channel and site of that first contact, so a month's
    channels add up to the people reached. True when this counted them; ContactGone when the
    contact was erased since it was read.
    """
    org = session.get_one(Organisation, contact.organisation_id)
    now = now or utcnow()
    month = month_of(org, now)
    first = created
    if not created and month_of(org, contact.last_seen_at) < month:
        # Compare-and-set, not read-then-write: two texts at once from someone not yet seen
        # this month both get here, and only the one whose update lands counts them. (The
        # loaded row only decides whether to try, so a returning member costs no statement.)
        # Not flushed first: a request's pending writes (its conversation state) would then
        # lock their rows before the contact's, while a concurrent request's flush locks the
        # contact first, and PostgreSQL finds a deadlock. The contact is always locked first.
        with session.no_autoflush:
            done = session.execute(
                update(Contact)
                .where(Contact.id == contact.id, Contact.last_seen_at < month_start(org, month))
                .values(last_seen_at=now)
                .execution_options(synchronize_session=False)
            )
        first = done.rowcount == 1
    if first:
        set_committed_value(contact, "last_seen_at", now)
        count_reach(
            session,
            org.id,
            measure=PERSON,
            channel=channel,
            site_id=site_id or contact.site_id,
            at=now,
        )
    else:
        # Core, as the compare-and-set above: the contact's row is locked now, before the
        # request's other writes (the same order as a flush), without the unit of work.
        if not _SEEN.rowcount(session, {"contact_id": contact.id, "now": now}):
            # Erased since it was read (FORGET ME on another text, the console): no row to
            # lock, and every write about them that follows would fail or be lost.
            raise ContactGone(contact.id)
        set_committed_value(contact, "last_seen_at", now)
    return first


# Run on the driver (service.db.Prepared): nearly every text runs it.
_SEEN = Prepared(
    update(Contact.__table__)
    .where(Contact.__table__.c.id == bindparam("contact_id"))
    .values(last_seen_at=bindparam("now"))
)


@dataclass(frozen=True)
class ReachQuery:
    """What the dashboard shows: lines by one dimension, over months, narrowed by filters."""

    group_by: str
    first_month: dt.date
    last_month: dt.date
    network_id: int | None = None  # 0: things about no one network
    channel: str | None = None
    site_id: int | None = None  # 0: people whose site is not known


@dataclass(frozen=True)
class ReachLine:
    """One line of the table: its key, its label, and a count per column (None: not shown)."""

    key: object
    label: str
    counts: tuple[int | None, ...]


@dataclass(frozen=True)
class ReachTable:
    """The dashboard's numbers before suppression; they never leave the server like this."""

    query: ReachQuery
    lines: tuple[ReachLine, ...]
    # Today's memberships matching the filters; a person in two networks counts in each.
    members_now: int

    def totals(self) -> tuple[int, ...]:
        """The column totals (members: today's, even where the lines do not show them)."""
        sums = [sum(line.counts[i] or 0 for line in self.lines) for i in range(len(COLUMNS))]
        return (self.members_now, *sums[1:])


def default_range(org: Organisation, now: dt.datetime) -> tuple[dt.date, dt.date]:
    """The last twelve months, this one included."""
    last = month_of(org, now)
    return add_months(last, 1 - DEFAULT_MONTHS), last


def reach_table(session: Session, organisation_id: int, query: ReachQuery) -> ReachTable:
    """Counts per line and column for the query; members are today's, whatever the months."""
    if query.group_by not in GROUPINGS:
        raise ValueError(f"unknown grouping {query.group_by!r}")
    tallies = _tallies(session, organisation_id, query)
    members = _members(session, organisation_id, query)
    keys = _line_keys(session, organisation_id, query, tallies, members)
    lines = []
    for key, label in keys:
        counts: list[int | None] = [None if query.group_by == "month" else members.get(key, 0)]
        counts += [tallies.get((key, measure), 0) for measure in MEASURES]
        lines.append(ReachLine(key, label, tuple(counts)))
    return ReachTable(query, tuple(lines), sum(members.values()))


def _tallies(
    session: Session, organisation_id: int, query: ReachQuery
) -> dict[tuple[object, str], int]:
    key = {
        "network": ReachTally.network_id,
        "channel": ReachTally.channel,
        "site": ReachTally.site_id,
        "month": ReachTally.month,
    }[query.group_by]
    stmt = (
        select(key, ReachTally.measure, func.sum(ReachTally.count))
        .where(
            ReachTally.organisation_id == organisation_id,
            ReachTally.month >= query.first_month,
            ReachTally.month <= query.last_month,
        )
        .group_by(key, ReachTally.measure)
    )
    if query.network_id is not None:
        stmt = stmt.where(ReachTally.network_id == query.network_id)
    if query.channel is not None:
        stmt = stmt.where(ReachTally.channel == query.channel)
    if query.site_id is not None:
        stmt = stmt.where(ReachTally.site_id == query.site_id)
    found: dict[tuple[object, str], int] = {}
    for value, measure, total in session.execute(stmt):
        found[(value, measure)] = int(total or 0)
    return found


def _members(session: Session, organisation_id: int, query: ReachQuery) -> dict[object, int]:
    # Read from the counts the database keeps (ReachMembers), not from every membership: a
    # few rows per network, site and channel, whatever the organisation's size.
    # By month there is no "members now" per line: everyone lands on one key, the total.
    key = {
        "network": ReachMembers.network_id,
        "channel": ReachMembers.channel,
        "site": ReachMembers.site_id,
        "month": None,
    }[query.group_by]
    total = func.sum(ReachMembers.count)
    stmt = select(*(c for c in (key, total) if c is not None)).where(
        ReachMembers.organisation_id == organisation_id
    )
    if key is not None:
        # A line for what once had members and has none now (a network left by its last
        # member, or since deleted) would be news of nothing: only counts above zero.
        stmt = stmt.group_by(key).having(total > 0)
    if query.network_id is not None:
        stmt = stmt.where(ReachMembers.network_id == query.network_id)
    if query.channel is not None:
        stmt = stmt.where(ReachMembers.channel == query.channel)
    if query.site_id is not None:
        stmt = stmt.where(ReachMembers.site_id == query.site_id)
    if key is None:
        return {None: int(session.scalar(stmt) or 0)}
    return {value: int(count) for value, count in session.execute(stmt)}


def _line_keys(
    session: Session,
    organisation_id: int,
    query: ReachQuery,
    tallies: dict[tuple[object, str], int],
    members: dict[object, int],
) -> list[tuple[object, str]]:
    """Every line the table shows, in order, zeros included: a silent network is news too."""
    seen = {key for key, _measure in tallies} | set(members)
    if query.group_by == "month":
        months, month = [], query.first_month
        while month <= query.last_month:
            months.append((month, month.strftime("%B %Y")))
            month = add_months(month, 1)
        return months
    if query.group_by == "channel":
        keys = [(c, CHANNEL_LABELS[c]) for c in CHANNELS]
        keys += [(c, str(c)) for c in sorted(seen - set(CHANNELS), key=str)]
        chosen = query.channel
    else:
        model, none_label, chosen = (
            (Network, "Not about one network", query.network_id)
            if query.group_by == "network"
            else (Site, "No site known", query.site_id)
        )
        named = session.execute(
            select(model.id, model.name)
            .where(model.organisation_id == organisation_id)
            .order_by(model.name, model.id)
        ).all()
        keys = [(row_id, name) for row_id, name in named]
        keys.append((0, none_label))
        if seen - {row_id for row_id, _name in keys}:
            keys.append((GONE, "Deleted " + ("networks" if model is Network else "sites")))
            _merge_gone(tallies, {row_id for row_id, _name in keys})
    if chosen is not None:
        keys = [(key, label) for key, label in keys if key == chosen]
    return keys


def _merge_gone(tallies: dict[tuple[object, str], int], known: set[object]) -> None:
    for key, measure in list(tallies):
        if key not in known:
            count = tallies.pop((key, measure))
            tallies[(GONE, measure)] = tallies.get((GONE, measure), 0) + count
