"""Recurring events keep their local wall-clock time across the March and October changes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from service.content.recurrence import Repeat, next_starts, occurrences, parse_rule, simple_repeat
from service.errors import InvalidRecurrence

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC


# The Friday 12:30 "cuppa and chat" whose next dates the console shows.
CUPPA = "2026-01-09 12:30"


def _local(when: str) -> dt.datetime:
    """A London wall-clock time written "2026-03-20 12:30" (a bare date is its midnight)."""
    return dt.datetime.fromisoformat(when).replace(tzinfo=LONDON)


def _expand(rule: str | None, start: str, minutes: int, window: tuple[str, str]):
    first = _local(start)
    return list(
        occurrences(
            first_start=first,
            first_end=first + dt.timedelta(minutes=minutes),
            rule=rule,
            zone=LONDON,
            window_start=_local(window[0]),
            window_end=_local(window[1]),
        )
    )


def _next_cuppas(rule: str | None, after: str, **count: int) -> list[dt.datetime]:
    first = _local(CUPPA)
    return next_starts(
        first_start=first,
        first_end=first + dt.timedelta(hours=1),
        rule=rule,
        zone=LONDON,
        after=_local(after),
        **count,
    )


def test_weekly_meeting_keeps_its_hour_across_the_march_change() -> None:
    # Friday 12:30 cuppa and chat; clocks go forward on Sunday 29 March 2026.
    found = _expand("FREQ=WEEKLY;BYDAY=FR", CUPPA, 60, ("2026-03-20", "2026-04-04"))
    starts = [s for s, _ in found]
    assert starts == [
        dt.datetime(2026, 3, 20, 12, 30, tzinfo=UTC),  # GMT: local equals UTC
        dt.datetime(2026, 3, 27, 12, 30, tzinfo=UTC),
        dt.datetime(2026, 4, 3, 11, 30, tzinfo=UTC),  # BST: an hour earlier in UTC
    ]
    assert {s.astimezone(LONDON).strftime("%H:%M") for s in starts} == {"12:30"}


def test_weekly_meeting_keeps_its_hour_across_the_october_change() -> None:
    # Wednesday 11:00; clocks go back on Sunday 25 October 2026.
    found = _expand("FREQ=WEEKLY;BYDAY=WE", "2026-01-07 11:00", 60, ("2026-10-20", "2026-11-01"))
    assert [s for s, _ in found] == [
        dt.datetime(2026, 10, 21, 10, 0, tzinfo=UTC),
        dt.datetime(2026, 10, 28, 11, 0, tzinfo=UTC),
    ]
    assert all(e - s == dt.timedelta(hours=1) for s, e in found)


def test_a_meeting_inside_the_repeated_october_hour_takes_the_first() -> None:
    found = _expand("FREQ=DAILY", "2026-10-24 01:30", 30, ("2026-10-25", "2026-10-25 12:00"))
    # 01:30 happens twice on 25 October; the first (BST, 00:30 UTC) is the meeting.
    assert found[0][0] == dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_monthly_first_tuesday_and_fortnightly_thursday() -> None:
    monthly = _expand(
        "FREQ=MONTHLY;BYDAY=1TU", "2026-01-06 14:00", 60, ("2026-03-01", "2026-06-01")
    )
    assert [s.astimezone(LONDON).date().isoformat() for s, _ in monthly] == [
        "2026-03-03",
        "2026-04-07",
        "2026-05-05",
    ]
    fortnightly = _expand(
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "2026-01-08 18:00", 60, ("2026-01-01", "2026-02-01")
    )
    assert [s.astimezone(LONDON).day for s, _ in fortnightly] == [8, 22]


def test_an_occurrence_already_under_way_is_included() -> None:
    found = _expand(None, "2026-05-01 10:00", 120, ("2026-05-01 11:00", "2026-05-02"))
    assert len(found) == 1


def test_until_ends_the_series() -> None:
    found = _expand(
        "FREQ=WEEKLY;UNTIL=20260301T000000Z", "2026-02-02 09:00", 60, ("2026-01-01", "2026-12-01")
    )
    assert len(found) == 4


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("", "empty"),
        ("FREQ=FORTNIGHTLY", "not a valid"),
        ("BYDAY=FR", "repeat daily, weekly"),
        ("FREQ=MINUTELY", "repeat daily, weekly"),
        ("FREQ=WEEKLY;BYDAY=XX", "not a valid"),
        ("FREQ=WEEKLY;UNTIL=20200101T000000Z", "never produces"),
        ("DTSTART:20260101T000000\nRRULE:FREQ=DAILY", "event's start"),
    ],
)
def test_bad_rules_are_refused(rule: str, message: str) -> None:
    with pytest.raises(InvalidRecurrence, match=message):
        parse_rule(rule, _local("2026-01-01 09:00"), LONDON)


# -- the console's simple choices ------------------------------------------------------------


@pytest.mark.parametrize(
    ("repeat", "rule"),
    [
        (Repeat(), None),
        (Repeat("weekly", days=("FR",)), "FREQ=WEEKLY;BYDAY=FR"),
        (Repeat("weekly", days=("FR", "MO"), interval=2), "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR"),
        (Repeat("monthly", nth=1, weekday="TU"), "FREQ=MONTHLY;BYDAY=1TU"),
        (Repeat("monthly", nth=-1, weekday="SA"), "FREQ=MONTHLY;BYDAY=-1SA"),
        (
            Repeat("weekly", days=("WE",), until=dt.date(2027, 3, 31)),
            "FREQ=WEEKLY;BYDAY=WE;UNTIL=20270331T235959",
        ),
    ],
)
def test_simple_choices_make_rules_and_read_back(repeat, rule):
    assert repeat.rule() == rule
    # Days come back in week order, however they were ticked.
    expected = Repeat(
        repeat.kind,
        days=tuple(d for d in ("MO", "TU", "WE", "TH", "FR", "SA", "SU") if d in repeat.days),
        interval=repeat.interval,
        nth=repeat.nth,
        weekday=repeat.weekday,
        until=repeat.until,
    )
    assert simple_repeat(rule) == expected


@pytest.mark.parametrize(
    "rule", ["FREQ=DAILY", "FREQ=MONTHLY;BYMONTHDAY=15", "FREQ=WEEKLY;BYDAY=MO;COUNT=4"]
)
def test_other_rules_are_custom(rule):
    assert simple_repeat(rule) is None


@pytest.mark.parametrize(
    "repeat",
    [
        Repeat("weekly"),
        Repeat("weekly", days=("XX",)),
        Repeat("weekly", days=("MO",), interval=3),
        Repeat("monthly", nth=5, weekday="MO"),
        Repeat("yearly"),
    ],
)
def test_incomplete_choices_are_refused(repeat):
    with pytest.raises(InvalidRecurrence):
        repeat.rule()


def test_next_five_dates_start_after_now_and_keep_the_hour_across_the_clock_change():
    dates = _next_cuppas("FREQ=WEEKLY;BYDAY=FR", "2026-03-20 13:00", count=5)
    assert [d.astimezone(LONDON).strftime("%d %b %H:%M") for d in dates] == [
        "27 Mar 12:30",
        "03 Apr 12:30",
        "10 Apr 12:30",
        "17 Apr 12:30",
        "24 Apr 12:30",
    ]


def test_next_dates_of_a_rule_that_has_ended_or_a_one_off():
    assert _next_cuppas("FREQ=WEEKLY;BYDAY=FR;UNTIL=20260131T235959", "2026-06-01") == []
    assert _next_cuppas(None, "2026-01-01") == [_local(CUPPA).astimezone(UTC)]


def test_a_skipped_day_is_left_out_by_its_local_date_across_the_clock_change() -> None:
    # Weekly Monday 00:30 (a night shift's chat): in BST its UTC start is on the Sunday, so
    # the skip must match the local day, Easter Monday 6 April 2026, not the UTC one.
    first = _local("2026-03-23 00:30")
    found = occurrences(
        first_start=first,
        first_end=first + dt.timedelta(minutes=30),
        rule="FREQ=WEEKLY;BYDAY=MO",
        zone=LONDON,
        window_start=_local("2026-03-30"),
        window_end=_local("2026-04-14"),
        skipped={dt.date(2026, 4, 6)},
    )
    assert [s.astimezone(LONDON).date() for s, _ in found] == [
        dt.date(2026, 3, 30),
        dt.date(2026, 4, 13),
    ]
    # The console's preview of the next dates leaves it out too.
    assert dt.date(2026, 4, 6) not in {
        d.astimezone(LONDON).date()
        for d in next_starts(
            first_start=first,
            first_end=first + dt.timedelta(minutes=30),
            rule="FREQ=WEEKLY;BYDAY=MO",
            zone=LONDON,
            after=_local("2026-04-01"),
            skipped={dt.date(2026, 4, 6)},
        )
    }
