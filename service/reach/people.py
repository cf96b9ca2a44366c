"""People reached at each site: members and people heard from, as shares of its headcount.

Read from what is already kept: the counts of people with a membership at each site, which the
database keeps (members now), and the monthly person tallies (service.reach.operations.
count_person). Nothing here names or keeps anyone; every figure leaves through people_shown,
with small numbers hidden.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.organisations.models import Site
from service.reach.models import PERSON, ReachMemberPeople, ReachTally
from service.reach.operations import CHANNEL_LABELS, GONE, add_months
from service.reach.suppression import NOT_SHOWN, csv_safe, shown_cell, suppress_grid

# The ways a person is heard from (print reaches people too, but names no one to count).
PEOPLE_CHANNELS = ("sms", "voice", "kiosk", "web")
TOTAL = "total"


@dataclass(frozen=True)
class SitePlace:
    """A line of the tables: a site (0: not known, GONE: deleted), its name and headcount."""

    key: int
    name: str
    headcount: int | None


@dataclass(frozen=True)
class PeopleReach:
    """Raw figures; they never leave the server like this (see people_shown)."""

    months: tuple[dt.date, ...]
    month: dt.date  # the month the table by site describes
    sites: tuple[SitePlace, ...]
    members: dict[int, int]  # site -> people with at least one membership now
    people: dict[tuple[dt.date, int, str], int]  # (month, site, channel) -> people


def headline_month(first: dt.date, last: dt.date, this_month: dt.date) -> dt.date:
    """The latest whole month in the range; this month only if the range holds nothing else."""
    if last < this_month:
        return last
    previous = add_months(this_month, -1)
    return previous if previous >= first else this_month


def people_reach(
    session: Session,
    organisation_id: int,
    first: dt.date,
    last: dt.date,
    this_month: dt.date,
) -> PeopleReach:
    """Members now and people reached each month, per site: three statements."""
    named = session.execute(
        select(Site.id, Site.name, Site.headcount)
        .where(Site.organisation_id == organisation_id)
        .order_by(Site.name, Site.id)
    ).all()
    sites = [SitePlace(row.id, row.name, row.headcount) for row in named]
    known = {site.key for site in sites}
    # People with a membership now, from the counts the database keeps (ReachMemberPeople).
    members: dict[int, int] = {
        site_id: int(count)
        for site_id, count in session.execute(
            select(ReachMemberPeople.site_id, ReachMemberPeople.count).where(
                ReachMemberPeople.organisation_id == organisation_id, ReachMemberPeople.count > 0
            )
        )
    }
    people: dict[tuple[dt.date, int, str], int] = {}
    gone = False
    for month, site_id, channel, count in session.execute(
        select(ReachTally.month, ReachTally.site_id, ReachTally.channel, func.sum(ReachTally.count))
        .where(
            ReachTally.organisation_id == organisation_id,
            ReachTally.measure == PERSON,
            ReachTally.month >= first,
            ReachTally.month <= last,
            ReachTally.channel.in_(PEOPLE_CHANNELS),
        )
        .group_by(ReachTally.month, ReachTally.site_id, ReachTally.channel)
    ):
        if site_id and site_id not in known:
            site_id, gone = GONE, True
        key = (month, site_id, channel)
        people[key] = people.get(key, 0) + int(count or 0)
    sites.append(SitePlace(0, "No site known", None))
    if gone:
        sites.append(SitePlace(GONE, "Deleted sites", None))
    months, month = [], first
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return PeopleReach(
        tuple(months), headline_month(first, last, this_month), tuple(sites), members, people
    )


@dataclass(frozen=True)
class ShownSite:
    """A line of the table by site, as managers see it; shares None where not shown."""

    label: str
    headcount: str
    members: str
    members_share: str
    people: str
    people_share: str
    channels: tuple[str, ...]
    members_percent: float | None
    people_percent: float | None


@dataclass(frozen=True)
class ShownTrend:
    """One line over the months: its label, the cells shown, and the numbers charts draw."""

    label: str
    cells: tuple[str, ...]
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class ShownPeople:
    """Every people figure the dashboard shows, suppressed together (tables and charts)."""

    month: dt.date
    month_label: str
    channels: tuple[str, ...]
    sites: tuple[ShownSite, ...]
    total: ShownSite
    month_labels: tuple[str, ...]
    month_keys: tuple[str, ...]  # YYYY-MM, for the CSV
    share_by_site: tuple[ShownTrend, ...]  # percent of headcount, sites with one
    people_by_site: tuple[ShownTrend, ...]  # people, every site line and the total
    people_by_channel: tuple[ShownTrend, ...]  # people, each channel and the total


def _share(count: int, headcount: int | None, hidden: bool) -> tuple[str, float | None]:
    if not headcount:
        return NOT_SHOWN, None
    if hidden:
        return shown_cell(count, True), None
    percent = 100 * count / headcount
    # Halves round up, as people do (33 of 200 is 17%), not to even as format() would.
    return f"{math.floor(percent + 0.5)}%", round(percent, 1)


def people_shown(reach: PeopleReach, this_month: dt.date) -> ShownPeople:
    """Suppress every people figure at once, so that no table undoes another's hiding."""
    keys = [site.key for site in reach.sites]
    values: dict[object, int] = {}
    for (month, site, channel), count in reach.people.items():
        values[("c", month, site, channel)] = count
        values[("r", month, site)] = values.get(("r", month, site), 0) + count
        values[("c", month, TOTAL, channel)] = values.get(("c", month, TOTAL, channel), 0) + count
        values[("r", month, TOTAL)] = values.get(("r", month, TOTAL), 0) + count
    for site, count in reach.members.items():
        values[("m", site if site in keys else 0)] = count
    values[("m", TOTAL)] = sum(reach.members.values())
    lines: list[list[object]] = [[("m", s) for s in keys] + [("m", TOTAL)]]
    for month in reach.months:
        lines.append([("r", month, s) for s in keys] + [("r", month, TOTAL)])
        lines.append([("c", month, TOTAL, c) for c in PEOPLE_CHANNELS] + [("r", month, TOTAL)])
    headline = reach.month
    for channel in PEOPLE_CHANNELS:
        lines.append(
            [("c", headline, s, channel) for s in keys] + [("c", headline, TOTAL, channel)]
        )
    for site in keys:
        lines.append([("c", headline, site, c) for c in PEOPLE_CHANNELS] + [("r", headline, site)])
    hidden = suppress_grid(values, lines)

    def cell(key: object) -> str:
        return shown_cell(values.get(key, 0), key in hidden)

    def site_line(label: str, site: object, headcount: int | None) -> ShownSite:
        members, people = ("m", site), ("r", headline, site)
        m_share, m_percent = _share(values.get(members, 0), headcount, members in hidden)
        p_share, p_percent = _share(values.get(people, 0), headcount, people in hidden)
        return ShownSite(
            label,
            NOT_SHOWN if headcount is None else f"{headcount:,}",
            cell(members),
            m_share,
            cell(people),
            p_share,
            tuple(cell(("c", headline, site, c)) for c in PEOPLE_CHANNELS),
            m_percent,
            p_percent,
        )

    sites = tuple(site_line(s.name, s.key, s.headcount) for s in reach.sites)
    named = [s for s in reach.sites if s.key > 0]
    # The organisation's share only when every site has a headcount: otherwise it would
    # compare everyone reached with only some of the staff.
    whole = sum(s.headcount or 0 for s in named) if all(s.headcount for s in named) else None
    total = site_line("Total", TOTAL, whole)

    share_by_site = []
    for site in named:
        if not site.headcount:
            continue
        shares = [
            _share(values.get(k, 0), site.headcount, k in hidden)
            for k in (("r", m, site.key) for m in reach.months)
        ]
        share_by_site.append(
            ShownTrend(site.name, tuple(s for s, _p in shares), tuple(p for _s, p in shares))
        )

    def trend(label: str, keys_by_month: list[object]) -> ShownTrend:
        return ShownTrend(
            label,
            tuple(cell(k) for k in keys_by_month),
            tuple(None if k in hidden else float(values.get(k, 0)) for k in keys_by_month),
        )

    people_by_site = [
        trend(s.name, [("r", m, s.key) for m in reach.months]) for s in reach.sites
    ] + [trend("Total", [("r", m, TOTAL) for m in reach.months])]
    people_by_channel = [
        trend(CHANNEL_LABELS[c], [("c", m, TOTAL, c) for m in reach.months])
        for c in PEOPLE_CHANNELS
    ] + [trend("Total", [("r", m, TOTAL) for m in reach.months])]
    return ShownPeople(
        month=headline,
        month_label=month_label(headline, this_month),
        channels=tuple(CHANNEL_LABELS[c] for c in PEOPLE_CHANNELS),
        sites=sites,
        total=total,
        month_labels=tuple(month_label(m, this_month, short=True) for m in reach.months),
        month_keys=tuple(m.strftime("%Y-%m") for m in reach.months),
        share_by_site=tuple(share_by_site),
        people_by_site=tuple(people_by_site),
        people_by_channel=tuple(people_by_channel),
    )


def month_label(month: dt.date, this_month: dt.date, *, short: bool = False) -> str:
    """A month as October 2026 (Oct 2026 when short); this month is marked as not over yet."""
    label = month.strftime("%b %Y" if short else "%B %Y")
    if month == this_month:
        label += " (so far)"
    return label


def people_csv(shown: ShownPeople) -> str:
    """The people tables as CSV, one block each, hidden exactly as the page hides them."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f"People reached by site, {shown.month_label}"])
    writer.writerow(
        [
            "Site",
            "Headcount",
            "Members now",
            "Members, share of headcount",
            "People heard from",
            "Heard from, share of headcount",
            *(f"First by {c}" for c in shown.channels),
        ]
    )
    for line in (*shown.sites, shown.total):
        writer.writerow(
            [
                csv_safe(line.label),
                *(_csv_cell(c) for c in (line.headcount, line.members, line.members_share)),
                *(_csv_cell(c) for c in (line.people, line.people_share, *line.channels)),
            ]
        )
    for heading, trends in (
        ("People heard from each month, by site", shown.people_by_site),
        ("People heard from each month, share of headcount", shown.share_by_site),
        ("People heard from each month, by the first channel used", shown.people_by_channel),
    ):
        writer.writerow([])
        writer.writerow([heading])
        writer.writerow(["", *(csv_safe(m) for m in shown.month_keys)])
        for trend in trends:
            writer.writerow([csv_safe(trend.label), *(_csv_cell(c) for c in trend.cells)])
    return out.getvalue()


def _csv_cell(text: str) -> str:
    # "1,250" as 1250, so a spreadsheet reads a number; "—" (no figure) as an empty cell.
    return "" if text == NOT_SHOWN else text.replace(",", "")
