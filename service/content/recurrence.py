"""RFC 5545 recurrence, expanded in local wall-clock time so meetings keep their hour across DST."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
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
    skipped: Collection[dt.date] = (),
) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """(start, end) in UTC of each occurrence overlapping [window_start, window_end).

    `skipped` holds the local days a repeating event does not happen (its EXDATEs).
    """
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
        if local.date() in skipped:
            continue
        start = _to_utc(local, zone)
        end = _to_utc(local + wall_duration, zone)
        if start < window_end and end > window_start:
            yield start, end


def occurrence_on(
    *,
    first_start: dt.datetime,
    first_end: dt.datetime,
    rule: str | None,
    zone: ZoneInfo,
    day: dt.date,
) -> tuple[dt.datetime, dt.datetime] | None:
    """The (start, end) in UTC of the occurrence that starts on a local day, if there is one."""
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    next_midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return next(
        (
            (start, end)
            for start, end in occurrences(
                first_start=first_start,
                first_end=first_end,
                rule=rule,
                zone=zone,
                window_start=midnight.astimezone(dt.UTC),
                window_end=next_midnight.astimezone(dt.UTC),
            )
            if start.astimezone(zone).date() == day
        ),
        None,
    )


# The console offers recurrence made simple: once, weekly on chosen days (every week or every
# other week, as networks meet), or monthly on the nth weekday. Each maps to one RRULE.
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
NTH = (1, 2, 3, 4, -1)  # -1 is "the last"


@dataclass(frozen=True)
class Repeat:
    """A simple repetition a lead can choose in a form, and the RRULE it stands for."""

    kind: str = "once"  # once | weekly | monthly
    days: tuple[str, ...] = ()  # weekly: which weekdays
    interval: int = 1  # weekly: every week (1) or every other week (2)
    nth: int = 1  # monthly: 1st..4th, or -1 for the last
    weekday: str = "MO"  # monthly: which weekday
    until: dt.date | None = None  # the last day it may fall on, if it stops

    def rule(self) -> str | None:
        """The RRULE text, or None for a one-off event."""
        if self.kind == "once":
            return None
        if self.kind == "weekly":
            if not self.days or any(d not in WEEKDAYS for d in self.days):
                raise InvalidRecurrence("choose the days it repeats on")
            if self.interval not in (1, 2):
                raise InvalidRecurrence("it repeats every week or every other week")
            days = ",".join(d for d in WEEKDAYS if d in self.days)
            parts = ["FREQ=WEEKLY"] + (["INTERVAL=2"] if self.interval == 2 else [])
            parts.append(f"BYDAY={days}")
        elif self.kind == "monthly":
            if self.nth not in NTH or self.weekday not in WEEKDAYS:
                raise InvalidRecurrence("choose which weekday of the month")
            parts = ["FREQ=MONTHLY", f"BYDAY={self.nth}{self.weekday}"]
        else:
            raise InvalidRecurrence("it repeats once, weekly or monthly")
        if self.until is not None:
            # Inclusive of the whole last day, read in local time like the start.
            parts.append(f"UNTIL={self.until:%Y%m%d}T235959")
        return ";".join(parts)


_SIMPLE = re.compile(
    r"^FREQ=(?P<freq>WEEKLY|MONTHLY)(?:;INTERVAL=(?P<interval>[12]))?"
    r";BYDAY=(?P<byday>[-\d]*[A-Z,]+)(?:;UNTIL=(?P<until>\d{8})(?:T\d{6}Z?)?)?$"
)


def simple_repeat(rule: str | None) -> Repeat | None:
    """The simple form of a rule, or None when it is a custom rule the form cannot show."""
    if not rule:
        return Repeat()
    text = rule.strip().upper().removeprefix("RRULE:")
    match = _SIMPLE.match(text)
    if match is None:
        return None
    until = dt.datetime.strptime(match["until"], "%Y%m%d").date() if match["until"] else None
    interval = int(match["interval"] or 1)
    byday = match["byday"]
    if match["freq"] == "WEEKLY":
        days = tuple(byday.split(","))
        if any(d not in WEEKDAYS for d in days):
            return None
        return Repeat("weekly", days=days, interval=interval, until=until)
    found = re.fullmatch(r"(-1|[1-4])(MO|TU|WE|TH|FR|SA|SU)", byday)
    if found is None or interval != 1:
        return None
    return Repeat("monthly", nth=int(found[1]), weekday=found[2], until=until)


def next_starts(
    *,
    first_start: dt.datetime,
    first_end: dt.datetime,
    rule: str | None,
    zone: ZoneInfo,
    after: dt.datetime,
    count: int = 5,
    skipped: Collection[dt.date] = (),
) -> list[dt.datetime]:
    """The next `count` starts (UTC) of an event from `after`: the console's preview."""
    found: list[dt.datetime] = []
    window = dt.timedelta(days=62)
    start = after
    # Two months at a time reaches five dates of any rule the console offers in one or three
    # steps; the cap stops a rule whose dates have run out from looping for ever.
    for _ in range(40):
        for begins, _ends in occurrences(
            first_start=first_start,
            first_end=first_end,
            rule=rule,
            zone=zone,
            window_start=start,
            window_end=start + window,
            skipped=skipped,
        ):
            if begins >= after and begins not in found:
                found.append(begins)
        if len(found) >= count or rule is None:
            break
        start += window
    return sorted(found)[:count]
