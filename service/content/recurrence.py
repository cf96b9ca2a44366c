"""RFC 5545 recurrence, expanded in local wall-clock time so meetings keep their hour across DST."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil import rrule as du_rrule

from service.errors import InvalidRecurrence


def _local_naive(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def _to_utc(local: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    # fold=0 takes the first of a repeated October hour; a time inside the March gap
    # comes out an hour later in wall-clock terms, which is what people expect.
    return local.replace(tzinfo=zone, fold=0).astimezone(dt.UTC)


def parse_rule(rule: str, first_start: dt.datetime, zone: ZoneInfo) -> du_rrule.rrule:
    """The parsed rule anchored at the first occurrence's local time; bad rules are refused."""
    return _parse_anchored(rule.strip(), _local_naive(first_start, zone))


# Every channel expands the same few rules on every request; dateutil iterates from the
# first date each time, so keep parsed rules (with their own occurrence cache) per process.
@lru_cache(maxsize=4096)
def _parse_anchored(rule: str, local_start: dt.datetime) -> du_rrule.rrule:
    text = rule
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    if not text:
        raise InvalidRecurrence("the rule is empty")
    if "DTSTART" in text.upper():
        raise InvalidRecurrence("give the start as the event's start time, not inside the rule")
    freq = next(
        (p.split("=", 1)[1].upper() for p in text.split(";") if p.upper().startswith("FREQ=")), ""
    )
    # Staff meetings repeat daily at most often; finer rules are mistakes that expand into
    # millions of dates.
    if freq in {"HOURLY", "MINUTELY", "SECONDLY"} or not freq:
        raise InvalidRecurrence("events may repeat daily, weekly, monthly or yearly")
    try:
        # ignoretz: an UNTIL written in UTC is read as local time, like the start it anchors to.
        parsed = du_rrule.rrulestr(
            text, dtstart=local_start, ignoretz=True, forceset=False, cache=True
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidRecurrence(f"not a valid RFC 5545 rule: {exc}") from exc
    if not isinstance(parsed, du_rrule.rrule):
        raise InvalidRecurrence("give a single RRULE")
    if parsed.after(local_start, inc=True) is None:
        raise InvalidRecurrence("the rule never produces a date")
    return parsed


def occurrences(
    *,
    first_start: dt.datetime,
    first_end: dt.datetime,
    rule: str | None,
    zone: ZoneInfo,
    window_start: dt.datetime,
    window_end: dt.datetime,
) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """(start, end) in UTC of each occurrence overlapping [window_start, window_end)."""
    if rule is None:
        if first_start < window_end and first_end > window_start:
            yield first_start, first_end
        return
    parsed = parse_rule(rule, first_start, zone)
    local_start = _local_naive(first_start, zone)
    wall_duration = _local_naive(first_end, zone) - local_start
    # Widen the local window by a day each side: local and UTC differ by at most hours,
    # and the exact overlap test below is done in UTC.
    lo = _local_naive(window_start, zone) - wall_duration - dt.timedelta(days=1)
    hi = _local_naive(window_end, zone) + dt.timedelta(days=1)
    for local in parsed.between(lo, hi, inc=True):
        start = _to_utc(local, zone)
        end = _to_utc(local + wall_duration, zone)
        if start < window_end and end > window_start:
            yield start, end
