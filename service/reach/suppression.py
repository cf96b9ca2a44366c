"""Show counts without showing anyone: small numbers hidden, and totals that cannot undo that."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from service.reach.operations import COLUMN_LABELS, COLUMNS, ReachTable

# Below this a count could point at a person (the only carer at a small depot): shown as "<5".
THRESHOLD = 5
SMALL = "<5"
# A count of 5 or more, hidden because with the total it would give away a "<5" beside it.
HIDDEN = "hidden"
NOT_SHOWN = "—"
HEADINGS = {"network": "Network", "channel": "Channel", "site": "Site", "month": "Month"}
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def shown_count(count: int) -> str:
    """0 as "0", 1 to 4 as "<5", anything larger as the number."""
    if count < 0:
        raise ValueError("a count cannot be negative")
    return SMALL if 0 < count < THRESHOLD else str(count)


def suppress_column(cells: Sequence[int | None], total: int) -> tuple[list[str], str]:
    """A column's cells and total as shown; a lone "<5" takes the next smallest cell with it.

    With the total on show, a single suppressed cell is the total less the others. Hiding the
    smallest other non-zero cell as well leaves only the sum of the two, which names no one;
    two or more "<5" cells already protect each other. None is a cell the table does not show.
    """
    shown = [NOT_SHOWN if cell is None else shown_count(cell) for cell in cells]
    small = [i for i, cell in enumerate(cells) if cell is not None and 0 < cell < THRESHOLD]
    if len(small) == 1:
        others = [
            (cell, i) for i, cell in enumerate(cells) if cell is not None and cell >= THRESHOLD
        ]
        if others:
            _count, partner = min(others)
            shown[partner] = HIDDEN
        # With no other non-zero cell the total is the small count itself, so it shows "<5".
    return shown, shown_count(total)


@dataclass(frozen=True)
class ShownLine:
    """A line of the table as managers see it: its label and the suppressed counts."""

    key: object
    label: str
    cells: tuple[str, ...]


@dataclass(frozen=True)
class ShownTable:
    """The whole table, suppressed: the only form in which reach counts leave the server."""

    heading: str
    columns: tuple[str, ...]
    lines: tuple[ShownLine, ...]
    total: tuple[str, ...]


def shown_table(table: ReachTable) -> ShownTable:
    """Suppress every column of the table, each against its own total."""
    by_column, totals = [], []
    for index, total in enumerate(table.totals()):
        cells, shown_total = suppress_column([line.counts[index] for line in table.lines], total)
        by_column.append(cells)
        totals.append(shown_total)
    lines = tuple(
        ShownLine(line.key, line.label, tuple(column[row] for column in by_column))
        for row, line in enumerate(table.lines)
    )
    return ShownTable(
        HEADINGS[table.query.group_by],
        tuple(COLUMN_LABELS[c] for c in COLUMNS),
        lines,
        tuple(totals),
    )


def csv_safe(text: str) -> str:
    """The text, with a leading quote when a spreadsheet would take it for a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def reach_csv(shown: ShownTable) -> str:
    """The suppressed table as CSV, months as YYYY-MM, names made safe for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([shown.heading, *shown.columns])
    for line in shown.lines:
        label = line.key.strftime("%Y-%m") if isinstance(line.key, dt.date) else line.label
        cells = ["" if cell == NOT_SHOWN else cell for cell in line.cells]
        writer.writerow([csv_safe(label), *cells])
    writer.writerow(["Total", *shown.total])
    return out.getvalue()


def suppress_grid(values: dict[object, int], lines: Sequence[Sequence[object]]) -> set[object]:
    """The cells to hide in tables whose lines add up (parts and their total, as cell keys).

    Counts 1 to 4 are hidden. Then, while any line has exactly one hidden non-zero cell (which
    the others and the total would give away), its smallest shown non-zero cell is hidden too.
    One cell may sit in several lines (a site's people in a month: in its row of channels, in
    the month's column of sites): every line is held to the rule until none needs more.
    """
    hidden = {key for key, count in values.items() if 0 < count < THRESHOLD}
    changed = True
    while changed:
        changed = False
        for line in lines:
            nonzero = [key for key in line if values.get(key, 0) > 0]
            if sum(key in hidden for key in nonzero) != 1:
                continue
            shown = [(values[key], position, key) for position, key in enumerate(nonzero)]
            shown = [entry for entry in shown if entry[2] not in hidden]
            if shown:
                hidden.add(min(shown)[2])
                changed = True
    return hidden


def shown_cell(count: int, hidden: bool) -> str:
    """A count as the grid shows it: "<5" or "hidden" where suppressed, else the number."""
    if not hidden:
        return str(count)
    return SMALL if count < THRESHOLD else HIDDEN
