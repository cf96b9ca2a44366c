"""Small-number suppression, secondary suppression against totals, and safe CSV: pure functions."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.reach.operations import ReachLine, ReachQuery, ReachTable
from service.reach.suppression import (
    HIDDEN,
    SMALL,
    csv_safe,
    reach_csv,
    shown_count,
    shown_table,
    suppress_column,
)


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, "0"), (1, "<5"), (2, "<5"), (3, "<5"), (4, "<5"), (5, "5"), (6, "6"), (1234, "1234")],
)
def test_counts_from_one_to_four_are_shown_as_under_five(count, shown) -> None:
    assert shown_count(count) == shown


def test_a_negative_count_is_a_bug() -> None:
    with pytest.raises(ValueError):
        shown_count(-1)


def test_a_lone_small_cell_takes_the_next_smallest_with_it() -> None:
    # Without the second hiding, 110 - 100 - 7 would give the 3 away.
    cells, total = suppress_column([3, 7, 100, 0], 110)
    assert cells == [SMALL, HIDDEN, "100", "0"]
    assert total == "110"


def test_the_smallest_partner_is_chosen_and_ties_go_to_the_first() -> None:
    assert suppress_column([40, 9, 2, 9], 60)[0] == ["40", HIDDEN, SMALL, "9"]


def test_two_small_cells_protect_each_other() -> None:
    assert suppress_column([3, 2, 100], 105) == ([SMALL, SMALL, "100"], "105")


def test_a_small_cell_among_zeros_makes_the_total_small_too() -> None:
    assert suppress_column([0, 3, 0], 3) == (["0", SMALL, "0"], SMALL)


def test_cells_not_shown_are_left_out_and_the_total_stands() -> None:
    assert suppress_column([None, None], 12) == (["—", "—"], "12")


def test_nothing_small_hides_nothing() -> None:
    assert suppress_column([0, 5, 12], 17) == (["0", "5", "12"], "17")


@given(st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=12))
def test_no_small_cell_can_be_worked_out_from_the_total(counts: list[int]) -> None:
    cells, total = suppress_column(counts, sum(counts))
    for count, cell in zip(counts, cells, strict=True):
        if 1 <= count <= 4:
            assert cell == SMALL
        else:
            assert cell in (str(count), HIDDEN)
    unknown = [i for i, cell in enumerate(cells) if cell in (SMALL, HIDDEN)]
    # A total shown as a number, less the numbers shown, is the sum of the unknown cells:
    # that must never be a single cell.
    if total != SMALL:
        assert len(unknown) != 1, (counts, cells, total)


def _table(group_by: str, lines: list[tuple[object, str, tuple[int | None, ...]]], members: int):
    query = ReachQuery(group_by, dt.date(2026, 1, 1), dt.date(2026, 3, 1))
    return ReachTable(query, tuple(ReachLine(*line) for line in lines), members)


def test_every_column_is_suppressed_against_its_own_total() -> None:
    table = _table(
        "network",
        [
            (1, "Careers", (12, 5, 0, 3, 0, 0, 0)),
            (2, "Carers", (3, 9, 1, 0, 0, 0, 0)),
            (0, "Not about one network", (0, 0, 0, 0, 6, 2, 4)),
        ],
        members=15,
    )
    shown = shown_table(table)
    assert shown.heading == "Network"
    assert shown.columns[0] == "Members now"
    careers, carers, none = (line.cells for line in shown.lines)
    assert careers == (HIDDEN, "5", "0", SMALL, "0", "0", "0")
    assert carers == (SMALL, "9", SMALL, "0", "0", "0", "0")
    assert none == ("0", "0", "0", "0", "6", SMALL, SMALL)
    assert shown.total == ("15", "14", SMALL, SMALL, "6", SMALL, SMALL)


def test_by_month_members_show_only_in_the_total() -> None:
    table = _table(
        "month",
        [
            (dt.date(2026, 1, 1), "January 2026", (None, 6, 0, 0, 0, 0, 0)),
            (dt.date(2026, 2, 1), "February 2026", (None, 8, 0, 0, 0, 0, 0)),
        ],
        members=30,
    )
    shown = shown_table(table)
    assert [line.cells[0] for line in shown.lines] == ["—", "—"]
    assert shown.total[:2] == ("30", "14")


@pytest.mark.parametrize("text", ["=1+1", "+44 113", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_cells_a_spreadsheet_would_run_are_quoted(text: str) -> None:
    assert csv_safe(text) == "'" + text


def test_ordinary_names_are_left_alone() -> None:
    assert csv_safe("Women's Voice") == "Women's Voice"
    assert csv_safe("Równość") == "Równość"


def test_the_csv_holds_the_suppressed_table_with_safe_names_and_iso_months() -> None:
    by_network = shown_table(
        _table(
            "network",
            [
                (1, '=HYPERLINK("http://evil.example","x")', (7, 3, 0, 0, 0, 0, 0)),
                (2, "Carers", (8, 2, 0, 0, 0, 0, 0)),
            ],
            members=15,
        )
    )
    rows = list(csv.reader(io.StringIO(reach_csv(by_network))))
    assert rows[0] == [
        "Network",
        "Members now",
        "Joins",
        "Leaves",
        "RSVPs",
        "Support requests",
        "Call-back requests",
        "Print downloads",
    ]
    assert rows[1][0].startswith("'=HYPERLINK")
    assert rows[1][1:3] == ["7", SMALL]
    assert rows[2][:3] == ["Carers", "8", SMALL]
    assert rows[3][:3] == ["Total", "15", "5"]
    by_month = shown_table(
        _table("month", [(dt.date(2026, 2, 1), "February 2026", (None, 6, 0, 0, 0, 0, 0))], 9)
    )
    rows = list(csv.reader(io.StringIO(reach_csv(by_month))))
    assert rows[1][:3] == ["2026-02", "", "6"]
