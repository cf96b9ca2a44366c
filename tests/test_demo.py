"""The demo organisation is realistic, complete in seven languages, and loads once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from sqlalchemy import func, select

from service import languages
from service.content import queries
from service.content.models import Event, Network, SupportLine, Translation
from service.db import utcnow
from service.demo import load_demo
from service.organisations.models import Organisation
from service.organisations.operations import organisation_for_number


def _counts(session) -> tuple[int, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (Organisation, Network, Event, SupportLine, Translation)
    )


def test_demo_is_idempotent(session) -> None:
    assert load_demo(session) is True
    first = _counts(session)
    assert load_demo(session) is False
    assert _counts(session) == first


def test_demo_owns_the_drama_number_and_has_the_networks(session) -> None:
    load_demo(session)
    org = organisation_for_number(session, "+441134960000")
    assert org.name == "Northgate City Council"
    views = queries.networks(session, org.id, "en")
    english_keywords = {n.slug: n.keywords[0] for n in views}
    assert english_keywords == {
        "careers": "CAREERS",
        "minds": "MINDS",
        "carers": "CARERS",
        "families": "FAMILIES",
        "dawn": "DAWN",
        "lgbt": "LGBT",
        "women": "WOMEN",
        "race": "RACE",
    }
    sensitive = {n.slug for n in views if n.sensitive}
    assert sensitive == {"minds", "families", "dawn", "lgbt", "race"}
    assert all(n.discreet_name for n in views if n.sensitive)
    families = next(n for n in views if n.slug == "families")
    assert families.parent_id == next(n.id for n in views if n.slug == "carers")
    assert len(org.sites) == 4


def test_demo_is_translated_into_every_language_and_marked_unreviewed(session) -> None:
    load_demo(session)
    org = organisation_for_number(session, "+441134960000")
    english = {n.id: n for n in queries.networks(session, org.id, "en")}
    for code in languages.CODES:
        if code == "en":
            continue
        for view in queries.networks(session, org.id, code):
            assert view.name != english[view.id].name or "DAWN" in view.name, (code, view.name)
            assert view.short_description != english[view.id].short_description, code
    assert session.scalar(select(func.count()).where(Translation.reviewed.is_(True))) == 0


def test_demo_week_has_the_regular_meetings_in_local_time(session) -> None:
    load_demo(session)
    org = organisation_for_number(session, "+441134960000")
    today = utcnow().date()
    monday = today + dt.timedelta(days=7 - today.weekday())
    start = dt.datetime.combine(monday, dt.time(), tzinfo=dt.UTC)
    week = queries.upcoming_occurrences(
        session, org.id, start=start, end=start + dt.timedelta(days=7), language="en"
    )
    seen = {(o.title, o.local_start.strftime("%A %H:%M")) for o in week}
    assert ("Cuppa and chat", "Friday 12:30") in seen
    assert ("How are you feeling hour", "Wednesday 11:00") in seen
    crisis = queries.support_lines(session, org.id, "en")[0]
    assert (crisis.name, crisis.phone, crisis.always_open) == ("Samaritans", "116123", True)


def test_demo_looks_alive_on_whatever_day_it_is_loaded(session) -> None:
    # The suite's clock (FRONTLINE_TEST_NOW) may stand on any day: the demo's meetings recur
    # from then on, and its announcements start the moment it is loaded.
    load_demo(session)
    org = organisation_for_number(session, "+441134960000")
    now = utcnow()
    week = queries.upcoming_occurrences(
        session, org.id, start=now, end=now + dt.timedelta(days=7), language="en"
    )
    assert {"Cuppa and chat", "How are you feeling hour"} <= {o.title for o in week}
    assert all(o.starts_at >= now - dt.timedelta(hours=2) for o in week)
    assert queries.live_announcements(session, org.id, now=now, language="en")


@pytest.mark.parametrize("moment", ["2019-06-05T09:00:00+00:00", "2031-03-03T09:00:00+00:00"])
def test_demo_series_start_a_year_before_whatever_day_it_is_loaded(session, moment) -> None:
    # Before: every series started in January 2026, so a demo loaded before then had nothing on,
    # and one loaded years later carried years of past dates.
    with time_machine.travel(dt.datetime.fromisoformat(moment), tick=False):
        load_demo(session)
        org = organisation_for_number(session, "+441134960000")
        now = utcnow()
        week = queries.upcoming_occurrences(
            session, org.id, start=now, end=now + dt.timedelta(days=14), language="en"
        )
    assert {"Cuppa and chat", "How are you feeling hour", "Carers chat"} <= {o.title for o in week}
    firsts = session.scalars(select(Event.starts_at).where(Event.organisation_id == org.id)).all()
    for first in firsts:
        first = first.replace(tzinfo=dt.UTC) if first.tzinfo is None else first
        assert now - dt.timedelta(days=366) <= first <= now - dt.timedelta(days=330)
    # A fortnightly meeting keeps the weeks it was written for: whole fortnights from then.
    carers = next(o for o in week if o.title == "Carers chat")
    assert (carers.local_start.date() - dt.date(2026, 1, 8)).days % 14 == 0


def test_the_demo_with_people_has_figures_that_agree(session) -> None:
    from service.contacts.models import Contact, Membership
    from service.demo.content import HEADCOUNTS, REACH_HISTORY
    from service.organisations.models import Site
    from service.reach.models import PERSON, ReachTally
    from service.reach.operations import month_of

    assert load_demo(session, people=True) is True
    org = organisation_for_number(session, "+441134960000")
    # Every join counted (this month's so far too) left a member, less those who left: no
    # "<5" members beside 400 joins. A person here is in one network, so members are people.
    for slug in {row[0] for row in REACH_HISTORY if row[0]}:
        network = session.scalar(
            select(Network).where(Network.slug == slug, Network.organisation_id == org.id)
        )
        counted = dict(
            session.execute(
                select(ReachTally.measure, func.sum(ReachTally.count))
                .where(ReachTally.network_id == network.id)
                .group_by(ReachTally.measure)
            ).all()
        )
        members = session.scalar(
            select(func.count()).select_from(Membership).where(Membership.network_id == network.id)
        )
        assert members == counted["join"] - counted.get("leave", 0) > 10, slug
    # The current month's joins are not left empty either.
    joins_now = session.scalar(
        select(func.sum(ReachTally.count)).where(
            ReachTally.organisation_id == org.id,
            ReachTally.measure == "join",
            ReachTally.month == month_of(org, utcnow()),
        )
    )
    assert joins_now > 0
    # Each site has its headcount, as an admin would have entered it.
    for site in session.scalars(select(Site).where(Site.organisation_id == org.id)):
        assert site.headcount == HEADCOUNTS[site.slug]
    # Every month of the year and this one so far has people heard from.
    months = session.scalars(
        select(ReachTally.month)
        .where(ReachTally.organisation_id == org.id, ReachTally.measure == PERSON)
        .distinct()
    ).all()
    assert len(months) == 13 and max(months) == month_of(org, utcnow())
    # Made-up people on numbers never given to anyone, none of which is ever texted.
    contacts = session.scalars(select(Contact).where(Contact.organisation_id == org.id)).all()
    assert all(c.phone.startswith("+447700900") and c.unusable_at for c in contacts)
    assert load_demo(session, people=True) is False
