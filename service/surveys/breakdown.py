"""Answers broken down by a protected characteristic, only where no group is small.

A group is everyone who gave one answer to the characteristic's question (those aged 25 to 34,
say); those who did not say (prefer not, skipped, said no to the equality questions, or never
reached them) are one more. A breakdown shows a group in a column of its own only when at least
GROUP_MIN responses are in it. Smaller groups are not dropped, which would let their answers be
worked out as the whole less the columns shown: they are counted together with those who did
not say, as "Other or not stated", and that column too must hold GROUP_MIN or more, or nothing
of the breakdown is shown. Within a column, counts are suppressed as everywhere else (1 to 4
shown as "<5", and the cell that would give one away).

A breakdown is shown only once the survey has closed (service.surveys.results): while it is
open, two releases side by side could differ by one person in one group, and give their answers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from service.reach.suppression import suppress_column
from service.surveys.models import Survey
from service.surveys.monitoring import BY_KEY, GROUP_MIN

OTHER = "Other or not stated"
NOT_STATED = "Not stated"
# A group key: the stored answer to the characteristic's question, or None for "did not say".
Group = int | None


@dataclass(frozen=True)
class Grouping:
    """Which groups a breakdown shows on their own, which it counts together, or why none."""

    own: tuple[int, ...]  # groups with GROUP_MIN or more, in the question's order
    folded: tuple[Group, ...]  # the rest with any responses, shown together as one column
    folded_total: int
    hidden: str | None  # why the breakdown is not shown; None when it is


def grouping(totals: Mapping[Group, int], order: Sequence[int]) -> Grouping:
    """The rule: a column only for GROUP_MIN or more, and the rest together also GROUP_MIN."""
    own = tuple(g for g in order if totals.get(g, 0) >= GROUP_MIN)
    folded = tuple(g for g in [*order, None] if g not in own and totals.get(g, 0) > 0)
    folded_total = sum(totals.get(g, 0) for g in folded)
    hidden = None
    if not own:
        hidden = (
            f"Hidden: no group has {GROUP_MIN} responses yet. A breakdown shows a group only "
            f"once {GROUP_MIN} or more people in it have answered."
        )
    elif 0 < folded_total < GROUP_MIN:
        hidden = (
            f"Hidden: fewer than {GROUP_MIN} responses would be in “{OTHER}” (those who did not "
            f"say, and any group under {GROUP_MIN}), so their answers could point at someone."
        )
    return Grouping(own, folded, folded_total, hidden)


@dataclass(frozen=True)
class QuestionBreakdown:
    """One question's answers in a column per group shown, or why they are hidden."""

    number: int
    text: str
    columns: tuple[str, ...]  # the groups' names
    totals: tuple[int, ...]  # responses in each column (each GROUP_MIN or more)
    rows: tuple[tuple[str, tuple[str, ...]], ...]  # an answer, and its count in each column
    hidden: str | None


@dataclass(frozen=True)
class Breakdown:
    """Every question of the survey's own broken down by one characteristic."""

    key: str
    label: str
    questions: tuple[QuestionBreakdown, ...]
    # Why there is nothing to break down yet (no batch holds the groups), else None.
    waiting: str | None = None


def question_breakdown(
    number: int,
    text: str,
    lines: Sequence[tuple[str, object]],
    cells: Mapping[tuple[object, Group], int],
    groups: Sequence[tuple[int, str]],
) -> QuestionBreakdown:
    """One question by one characteristic: lines are (label, answer key) as its table has them."""
    totals: Counter = Counter()
    for (_line, group), n in cells.items():
        totals[group] += n
    found = grouping(totals, [g for g, _label in groups])
    if found.hidden is not None:
        return QuestionBreakdown(number, text, (), (), (), found.hidden)
    names = dict(groups)
    columns: list[tuple[str, tuple[Group, ...]]] = [(names[g], (g,)) for g in found.own]
    if found.folded_total:
        label = OTHER if any(g is not None for g in found.folded) else NOT_STATED
        columns.append((label, found.folded))
    shown: list[list[str]] = []
    column_totals = []
    for _name, members in columns:
        counts = [sum(cells.get((key, g), 0) for g in members) for _label, key in lines]
        column_totals.append(sum(counts))
        shown.append(suppress_column(counts, sum(counts))[0])
    rows = tuple(
        (label, tuple(column[i] for column in shown)) for i, (label, _key) in enumerate(lines)
    )
    return QuestionBreakdown(
        number, text, tuple(n for n, _m in columns), tuple(column_totals), rows, None
    )


def characteristics_of(survey: Survey) -> list[tuple[str, str]]:
    """The characteristics the survey asks about, as (key, label), in the order asked."""
    return [
        (q.monitoring, BY_KEY[q.monitoring].label)
        for q in survey.questions
        if q.monitoring in BY_KEY
    ]
