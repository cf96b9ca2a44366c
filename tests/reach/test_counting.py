"""Counting reach through the real operations, and reading the dashboard's numbers back."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service.callbacks.operations import request_callback
from service.contacts import operations as contacts
from service.content.models import Network
from service.db import utcnow
from service.demo.content import REACH_HISTORY
from service.privacy.erasure import erase_contact
from service.reach.models import ReachTally
from service.reach.operations import (
    COLUMNS,
    GONE,
    ReachQuery,
    add_months,
    count_reach,
    default_range,
    month_of,
    reach_table,
)
from service.rsvps.operations import rsvp
from tests.support import factories

JOIN = COLUMNS.index("join")
LEAVE = COLUMNS.index("leave")
MEMBERS = COLUMNS.index("members")


def _tallies(session, org) -> dict[tuple, int]:
    rows = session.scalars(select(ReachTally).where(ReachTally.organisation_id == org.id))
    return {(t.measure, t.channel, t.network_id, t.site_id): t.count for t in rows}


def _this_month(org) -> ReachQuery:
    month = month_of(org, utcnow())
    return ReachQuery("network", month, month)


def _line(table, key):
    return next(line for line in table.lines if line.key == key)


@pytest.fixture
def org(session):
    return factories.create_organisation(session)


def test_counting_twice_adds_up_on_one_row(session, org) -> None:
    for amount in (1, 4):
        count_reach(session, org.id, measure="support", channel="sms", amount=amount)
    rows = session.scalars(select(ReachTally).where(ReachTally.organisation_id == org.id)).all()
    assert [(r.count, r.network_id, r.site_id) for r in rows] == [(5, 0, 0)]


@pytest.mark.parametrize(
    ("zone", "at", "month"),
    [
        # 23:30 UTC on 30 June is already July in London (BST) ...
        ("Europe/London", dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC), dt.date(2026, 7, 1)),
        # ... but still January on the 31st in winter, when London is on UTC.
        ("Europe/London", dt.datetime(2026, 1, 31, 23, 30, tzinfo=dt.UTC), dt.date(2026, 1, 1)),
        ("Pacific/Auckland", dt.datetime(2026, 1, 31, 12, 0, tzinfo=dt.UTC), dt.date(2026, 2, 1)),
    ],
)
def test_the_month_is_the_organisations_local_month(session, zone, at, month) -> None:
    org = factories.create_organisation(session, timezone=zone)
    count_reach(session, org.id, measure="download", channel="print", at=at)
    assert session.scalar(select(ReachTally.month).where(ReachTally.organisation_id == org.id)) == (
        month
    )


@pytest.mark.parametrize(("measure", "channel"), [("visit", "sms"), ("join", "fax")])
def test_unknown_measures_and_channels_are_refused(session, org, measure, channel) -> None:
    with pytest.raises(ValueError):
        count_reach(session, org.id, measure=measure, channel=channel)


def test_a_join_counts_once_and_leaves_count_by_the_channel_left_through(session, org) -> None:
    site = factories.create_site(session, org=org)
    one, two = (factories.create_network(session, org=org) for _ in range(2))
    person = factories.create_contact(session, org=org)
    person.site_id = site.id
    contacts.join_network(session, person, one, channel="kiosk")
    contacts.join_network(session, person, one, channel="sms")  # already a member
    contacts.join_network(session, person, two, channel="voice")
    assert contacts.leave_network(session, person, one.id, channel="sms") is True
    assert contacts.leave_network(session, person, one.id, channel="sms") is False
    contacts.join_network(session, person, one, channel="sms")
    assert contacts.leave_all(session, person, channel="voice") == 2
    assert contacts.leave_all(session, person, channel="voice") == 0
    assert _tallies(session, org) == {
        ("join", "kiosk", one.id, site.id): 1,
        ("join", "voice", two.id, site.id): 1,
        ("leave", "sms", one.id, site.id): 1,
        ("join", "sms", one.id, site.id): 1,
        ("leave", "voice", one.id, site.id): 1,
        ("leave", "voice", two.id, site.id): 1,
    }


def test_rsvps_and_callbacks_count_only_when_new(session, org) -> None:
    network = factories.create_network(session, org=org)
    event = factories.create_event(session, org=org, network=network)
    person = factories.create_contact(session, org=org)
    for _ in range(2):
        rsvp(session, person, event.id, event.starts_at, "web")
        request_callback(session, person, network_id=None, channel="kiosk")
    assert _tallies(session, org) == {
        ("rsvp", "web", network.id, 0): 1,
        ("callback", "kiosk", 0, 0): 1,
    }


def test_the_table_counts_lines_and_members_and_merges_deleted_networks(session, org) -> None:
    careers = factories.create_network(session, org=org, name="Careers")
    carers = factories.create_network(session, org=org, name="Carers")
    gone = factories.create_network(session, org=org, name="Old network")
    for n in range(6):
        person = factories.create_contact(session, org=org)
        contacts.join_network(session, person, careers, channel="sms")
        if n < 2:
            contacts.join_network(session, person, carers, channel="sms")
        if n == 0:
            contacts.join_network(session, person, gone, channel="sms")
    session.delete(gone)
    session.flush()
    table = reach_table(session, org.id, _this_month(org))
    assert [line.label for line in table.lines] == [
        "Careers",
        "Carers",
        "Not about one network",
        "Deleted networks",
    ]
    assert _line(table, careers.id).counts[MEMBERS] == 6
    assert _line(table, careers.id).counts[JOIN] == 6
    assert _line(table, carers.id).counts[:2] == (2, 2)
    # The deleted network's join still counts; its membership went with it.
    assert _line(table, GONE).counts[:2] == (0, 1)
    assert table.members_now == 8
    assert table.totals()[JOIN] == 9


def test_filters_narrow_both_counts_and_members(session, org) -> None:
    site = factories.create_site(session, org=org)
    network = factories.create_network(session, org=org)
    at_site = factories.create_contact(session, org=org)
    at_site.site_id = site.id
    elsewhere = factories.create_contact(session, org=org)
    contacts.join_network(session, at_site, network, channel="kiosk")
    contacts.join_network(session, elsewhere, network, channel="sms")
    month = month_of(org, utcnow())
    by_channel = reach_table(session, org.id, ReachQuery("channel", month, month, site_id=site.id))
    counts = {line.key: line.counts[:2] for line in by_channel.lines}
    assert counts["kiosk"] == (1, 1) and counts["sms"] == (0, 0)
    only_sms = reach_table(session, org.id, ReachQuery("site", month, month, channel="sms"))
    assert {line.key: line.counts[:2] for line in only_sms.lines} == {
        site.id: (0, 0),
        0: (1, 1),
    }
    one_line = reach_table(session, org.id, ReachQuery("network", month, month, network_id=0))
    assert [line.label for line in one_line.lines] == ["Not about one network"]


def test_months_outside_the_range_are_left_out(session, org) -> None:
    network = factories.create_network(session, org=org)
    old = dt.datetime(2025, 3, 10, 12, tzinfo=dt.UTC)
    count_reach(session, org.id, measure="join", channel="sms", network_id=network.id, at=old)
    march = dt.date(2025, 3, 1)
    table = reach_table(session, org.id, ReachQuery("month", add_months(march, -1), march))
    assert [(line.label, line.counts[JOIN]) for line in table.lines] == [
        ("February 2025", 0),
        ("March 2025", 1),
    ]
    later = reach_table(session, org.id, ReachQuery("network", add_months(march, 1), march))
    assert later.totals()[JOIN] == 0


def test_counts_outlive_the_people_counted(session, org) -> None:
    network = factories.create_network(session, org=org)
    person = factories.create_contact(session, org=org)
    contacts.join_network(session, person, network, channel="sms")
    erase_contact(session, person)
    session.flush()
    table = reach_table(session, org.id, _this_month(org))
    assert _line(table, network.id).counts[:2] == (0, 1)


def test_another_organisations_counts_never_mix_in(session, org) -> None:
    other = factories.create_organisation(session)
    network = factories.create_network(session, org=org)
    theirs = factories.create_network(session, org=other)
    # Tallies carry bare ids: even one naming this organisation's network stays theirs.
    for network_id in (theirs.id, network.id):
        count_reach(session, other.id, measure="join", channel="sms", network_id=network_id)
    table = reach_table(session, org.id, _this_month(org))
    assert table.totals()[JOIN] == 0
    assert "Deleted networks" not in [line.label for line in table.lines]


def test_the_demo_leaves_a_year_of_believable_history(session, demo) -> None:
    first, last = default_range(demo, utcnow())
    table = reach_table(session, demo.id, ReachQuery("network", first, last))
    # The default twelve months end with this one: the history's oldest month falls outside.
    joins = sum(sum(c[1:]) for _n, _s, _ch, m, c in REACH_HISTORY if m == "join")
    assert table.totals()[JOIN] == joins
    careers = session.scalar(select(Network.id).where(Network.slug == "careers"))
    assert _line(table, careers).counts[JOIN] > 5
    this_month = reach_table(session, demo.id, ReachQuery("month", last, last))
    assert this_month.totals()[JOIN] == 0  # the current month is left to real use
