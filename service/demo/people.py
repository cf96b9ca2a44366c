"""Demo people behind the demo's reach figures: made up, on numbers that can never be texted.

The reach history (service.demo.history) says how many joined and left each network; this adds
the members those joins left behind, so that "Members now" agrees with them, each site's
headcount, and the people heard from each month (this one so far included). The numbers are
Ofcom's drama range 07700 900000-900999, which is never given to anyone, and every one is
marked as unable to take texts, so no broadcast or reminder is ever written for them.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from service.contacts.models import Contact, Membership
from service.content.models import Network
from service.crypto import vault_of
from service.demo.content import HEADCOUNTS, REACH_HISTORY
from service.organisations import operations as organisations
from service.organisations.models import Organisation, Site
from service.reach.models import PERSON
from service.reach.operations import add_months, count_reach, month_of

DRAMA_RANGE = "+447700900{:03d}"
# Of a site's headcount, the share heard from in a month without joining anything (they
# asked for support, read what's on at a kiosk with their number, answered a survey).
OTHERS_HEARD_FROM = (0.03, 0.07)
# Of the members, the share heard from again in a later month.
MEMBERS_HEARD_FROM = 0.35


def add_people(session: Session, org: Organisation, now: dt.datetime) -> int:
    """The demo's headcounts, members and people heard from; how many members were made."""
    networks = {
        n.slug: n for n in session.scalars(select(Network).where(Network.organisation_id == org.id))
    }
    sites = {s.slug: s for s in session.scalars(select(Site).where(Site.organisation_id == org.id))}
    for slug, headcount in HEADCOUNTS.items():
        organisations.set_headcount(session, sites[slug], headcount)
    return add_demo_people(session, org, networks, sites, now)


def add_demo_people(
    session: Session,
    org: Organisation,
    networks: dict[str, Network],
    sites: dict[str, Site],
    now: dt.datetime,
) -> int:
    """The members the history's joins and leaves leave today, and who was heard from when."""
    zone = ZoneInfo(org.timezone)
    this_month = month_of(org, now)
    chance = random.Random(20261118)  # noqa: S311 - made-up people, the same each load
    vault = vault_of(session)
    local_now = now.astimezone(zone)
    so_far = _so_far(local_now)
    left: dict[tuple[str, str], int] = {}
    joins: list[tuple[dt.date, str, str, str]] = []
    for network, site, channel, measure, counts in REACH_HISTORY:
        # This month so far, as many as the days gone would bring: no month stands empty.
        now_amount = round(counts[-1] * so_far)
        if now_amount:
            count_reach(
                session,
                org.id,
                measure=measure,
                channel=channel,
                network_id=networks[network].id if network else None,
                site_id=sites[site].id,
                at=now,
                amount=now_amount,
            )
        if measure == "leave":
            left[(network, site)] = left.get((network, site), 0) + sum(counts) + now_amount
        if measure == "join":
            for back, amount in enumerate([now_amount, *reversed(counts)]):
                joins += [(add_months(this_month, -back), network, site, channel)] * amount
    people: list[dict] = []
    for month, network, site, channel in sorted(joins):
        # Those who left were among the first to join: they have no membership now.
        key = (network, site)
        if left.get(key, 0) > 0:
            left[key] -= 1
            continue
        day = chance.randint(1, 28 if month < this_month else local_now.day)
        at = min(local_now, dt.datetime(month.year, month.month, day, 12, tzinfo=zone))
        people.append({"network": network, "site": site, "channel": channel, "at": at})
    heard = _heard_from(chance, people, this_month, local_now)
    for month, _site, _channel, index in heard:  # in month order: the last is the latest
        if index is not None:
            people[index]["seen"] = month
    contact_rows = [
        {
            "organisation_id": org.id,
            "phone_encrypted": vault.encrypt(DRAMA_RANGE.format(index)),
            "phone_index": vault.blind_index(DRAMA_RANGE.format(index)),
            "language": "en",
            "discreet": networks[person["network"]].sensitive,
            "unusable_at": now,
            "site_id": sites[person["site"]].id,
            "created_at": person["at"],
            "last_seen_at": _seen_at(person, zone, now),
        }
        for index, person in enumerate(people)
    ]
    ids = session.scalars(
        insert(Contact).returning(Contact.id, sort_by_parameter_order=True), contact_rows
    ).all()
    session.execute(
        insert(Membership),
        [
            {
                "contact_id": contact_id,
                "network_id": networks[person["network"]].id,
                "joined_at": person["at"],
                "channel": person["channel"],
                "consent_version": "2026-11-v1" if networks[person["network"]].sensitive else None,
                "consent_at": person["at"] if networks[person["network"]].sensitive else None,
                "consent_channel": person["channel"]
                if networks[person["network"]].sensitive
                else None,
            }
            for contact_id, person in zip(ids, people, strict=True)
        ],
    )
    tallies: dict[tuple[dt.date, str, str], int] = {}
    for month, site, channel, _index in heard:
        tallies[(month, site, channel)] = tallies.get((month, site, channel), 0) + 1
    for (month, site, channel), amount in sorted(tallies.items()):
        at = (
            now
            if month == this_month
            else dt.datetime(month.year, month.month, 15, 12, tzinfo=zone)
        )
        count_reach(
            session,
            org.id,
            measure=PERSON,
            channel=channel,
            site_id=sites[site].id,
            at=at,
            amount=amount,
        )
    return len(people)


def _heard_from(
    chance: random.Random,
    people: list[dict],
    this_month: dt.date,
    now: dt.datetime,
) -> list[tuple[dt.date, str, str, int | None]]:
    """(month, site, first channel, member index or None) for each person heard from."""
    heard = []
    history = len(REACH_HISTORY[0][4])
    months = [add_months(this_month, -back) for back in range(history, -1, -1)]
    so_far = _so_far(now)
    for month in months:
        part = so_far if month == this_month else 1.0
        for index, person in enumerate(people):
            joined = month_of_at(person["at"])
            if joined == month or (joined < month and chance.random() < MEMBERS_HEARD_FROM * part):
                heard.append((month, person["site"], person["channel"], index))
        for slug, headcount in HEADCOUNTS.items():
            share = chance.uniform(*OTHERS_HEARD_FROM) * part
            for _ in range(round(headcount * share)):
                channel = chance.choice(("sms", "sms", "voice", "kiosk", "kiosk", "web"))
                heard.append((month, slug, channel, None))
    return heard


def _so_far(now: dt.datetime) -> float:
    """How much of this month has gone, roughly: the share of a month's figures so far.

    Never less than two days' worth, so that a demo loaded on the 1st shows a month begun.
    """
    return min(1.0, max(2.0, now.day - 0.5) / 30)


def month_of_at(at: dt.datetime) -> dt.date:
    """The first of the month of a local time."""
    return at.date().replace(day=1)


def _seen_at(person: dict, zone: ZoneInfo, now: dt.datetime) -> dt.datetime:
    month = person.get("seen") or month_of_at(person["at"])
    if month == month_of_at(now.astimezone(zone)):
        return now
    return max(person["at"], dt.datetime(month.year, month.month, 20, 12, tzinfo=zone))
