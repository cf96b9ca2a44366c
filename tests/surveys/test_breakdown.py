"""Answers by equality group: a column only for 10 or more, checked against a reference."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from service.db import utcnow
from service.reach.suppression import suppress_column
from service.surveys import operations as surveys
from service.surveys import taking
from service.surveys.breakdown import NOT_STATED, OTHER, question_breakdown
from service.surveys.results import BATCH, results_csv, survey_results
from tests.support.surveys import create_survey

LINES = [("Bus", 1), ("Car", 2), ("Walk", 3), ("Prefer not to say", "prefer_not")]


def reference(cells: dict, groups: list[int]) -> tuple[list[tuple[str, list[int]]] | None, str]:
    """The rule as the issue says it, written plainly: the columns (name, counts) or None.

    A group stands alone with 10 or more; every other response (smaller groups, and those who
    did not say) is one column, which must itself be empty or hold 10 or more.
    """

    def column(members) -> list[int]:
        return [sum(cells.get((key, g), 0) for g in members) for _label, key in LINES]

    alone = [g for g in groups if sum(column([g])) >= 10]
    rest = [g for g in [*groups, None] if g not in alone]
    if not alone:
        return None, "no group"
    if 0 < sum(column(rest)) < 10:
        return None, "too few in the rest"
    columns = [(f"group {g}", column([g])) for g in alone]
    if sum(column(rest)):
        small = any(g is not None and sum(column([g])) for g in rest)
        columns.append((OTHER if small else NOT_STATED, column(rest)))
    return columns, ""


cells_strategy = st.integers(min_value=1, max_value=7).flatmap(
    lambda k: st.tuples(
        st.just(list(range(1, k + 1))),
        st.dictionaries(
            st.tuples(
                st.sampled_from([key for _label, key in LINES]),
                st.sampled_from([*range(1, k + 1), None]),
            ),
            st.integers(min_value=0, max_value=14),
            max_size=4 * (k + 1),
        ),
    )
)


@settings(max_examples=400, deadline=None)
@given(cells_strategy)
def test_a_breakdown_shows_a_group_only_with_ten_or_more_as_the_reference_does(drawn):
    groups, cells = drawn
    found = question_breakdown(1, "How?", LINES, cells, [(g, f"group {g}") for g in groups])
    expected, _why = reference(cells, groups)
    if expected is None:
        assert found.hidden is not None and found.columns == () and found.rows == ()
        return
    assert found.hidden is None
    assert list(found.columns) == [name for name, _counts in expected]
    assert list(found.totals) == [sum(counts) for _name, counts in expected]
    # Every column shown holds at least 10; together they hold every answer (nothing left
    # out to be worked out as the whole less the columns).
    assert all(total >= 10 for total in found.totals)
    assert sum(found.totals) == sum(cells.values())
    # Within a column, the usual suppression of small numbers.
    for n, (_name, counts) in enumerate(expected):
        shown = [cells_of_row[n] for _label, cells_of_row in found.rows]
        assert shown == suppress_column(counts, sum(counts))[0]


def test_a_small_group_is_counted_with_those_who_did_not_say_or_the_whole_is_hidden():
    lines = LINES[:2]
    big = {(1, 1): 8, (2, 1): 4, (1, 2): 3, (2, 2): 9}
    # Group 1 has 12, group 2 has 12, three people in group 3: with one who did not say, too few.
    few = {**big, (1, 3): 3, (1, None): 1}
    hidden = question_breakdown(1, "How?", lines, few, [(1, "A"), (2, "B"), (3, "C")])
    assert hidden.hidden is not None and "fewer than 10" in hidden.hidden
    assert hidden.rows == ()
    enough = {**few, (2, None): 6}
    shown = question_breakdown(1, "How?", lines, enough, [(1, "A"), (2, "B"), (3, "C")])
    assert shown.columns == ("A", "B", OTHER)
    assert shown.totals == (12, 12, 10)
    nobody = question_breakdown(1, "How?", lines, {(1, 1): 9}, [(1, "A")])
    assert "no group has 10" in (nobody.hidden or "")


def respond(session, survey, n: int, *, choice: int, consent: bool, age: int | None) -> None:
    """One text respondent: a choice, then the rest skipped; a yes (or no) and an age band."""
    who = taking.identity_of_number(f"+4474005{n:05d}")
    now = utcnow()
    taking.begin(session, survey, who, channel="sms", language="en", now=now)
    taking.answer(session, survey, who, outcome="answered", value=choice, now=now)
    for _ in range(3):
        taking.answer(session, survey, who, outcome="skipped", now=now)
    taking.answer(session, survey, who, outcome="answered", value=int(consent), now=now)
    if consent:
        given = {"outcome": "answered", "value": age} if age else {"outcome": "prefer_not"}
        taking.answer(session, survey, who, now=now, **given)


def test_results_break_answers_down_by_age_only_where_every_group_has_ten(session, demo):
    survey = create_survey(session, demo, monitoring=("age",))
    people = [(1, 2)] * 12 + [(2, 3)] * 11 + [(1, 6)] * 2  # (choice, age band)
    for n, (choice, age) in enumerate(people):
        respond(session, survey, n, choice=choice, consent=True, age=age)
    surveys.close_survey(session, survey, utcnow())
    session.flush()
    results = survey_results(session, survey, by="age")
    assert results.characteristics == (("age", "Age band"),)
    first = results.breakdown.questions[0]
    # Two over-65s and nobody who did not say: too few to stand apart or together.
    assert first.hidden is not None and "fewer than 10" in first.hidden
    assert len(results.breakdown.questions) == 4  # the author's own questions only
    text = results_csv(results)
    assert "Hidden" in text and "65 or over" not in text
    # The age question's own table: the two over-65s are never a line of their own, and
    # "Other" is never under 10 either (12 + 11 + 2 less the lines shown would give them
    # away), so the smaller group shown joins it.
    age = results.questions[5].table
    assert [(line.label, line.shown) for line in age.lines] == [
        ("25 to 34", "12"),
        (OTHER, "13"),
    ]

    # Eight more who said no to the equality questions: with the two, "Other or not stated".
    survey = create_survey(session, demo, keyword="PULSE2", monitoring=("age",))
    for n, (choice, age) in enumerate(people):
        respond(session, survey, n, choice=choice, consent=True, age=age)
    for n in range(100, 108):
        respond(session, survey, n, choice=3, consent=False, age=None)
    surveys.close_survey(session, survey, utcnow())
    session.flush()
    results = survey_results(session, survey, by="age")
    first = results.breakdown.questions[0]
    assert first.hidden is None
    assert first.columns == ("25 to 34", "35 to 44", OTHER)
    assert first.totals == (12, 11, 10)
    rows = dict(first.rows)
    # The two over-65s said Bus, the eight others Walk: "<5", and the cell that would tell it.
    assert rows["Bus"] == ("12", "0", "<5") and rows["Walk"] == ("0", "0", "hidden")
    assert rows["Car"] == ("0", "11", "0")
    table = list(csv.reader(io.StringIO(results_csv(results))))
    assert ["1. How do you get to work?, by Age band: 25 to 34", "Bus", "12"] in table
    assert ["1. How do you get to work?, by Age band: Other or not stated", "Total", "10"] in table
    # An unknown characteristic shows no breakdown at all.
    assert survey_results(session, survey, by="height").breakdown is None


def test_while_open_no_breakdown_shows_so_no_two_can_be_compared(session, demo):
    # Attack: read the breakdown at one batch and again at the next, when one more person is in
    # a group; the difference between the two would be that person's answers.
    survey = create_survey(session, demo, monitoring=("age",))
    for n in range(BATCH):
        respond(session, survey, n, choice=1, consent=True, age=2)
    for n in range(BATCH, 2 * BATCH):
        respond(session, survey, n, choice=2, consent=True, age=3)
    while_open = survey_results(session, survey, by="age").breakdown
    assert while_open.questions == () and "when the survey closes" in while_open.waiting
    surveys.close_survey(session, survey, utcnow())
    session.flush()
    closed = survey_results(session, survey, by="age").breakdown.questions[0]
    assert closed.columns == ("25 to 34", "35 to 44") and closed.totals == (10, 10)
