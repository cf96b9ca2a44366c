"""Long commands' progress on a terminal: click's bar with rows done, the time left and the rate.

The commands' one-line-per-batch output off a terminal is tested with each command
(rotate-data-key, purge, pack, the scale generator); here the terminal, with a clock the test
moves.
"""

from __future__ import annotations

import io
import re
import sys

import click._termui_impl
import pytest

from service import cli
from service.cli import BatchProgress


class Clock:
    """Stands for the time module: wall and monotonic time at a moment the test sets."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now


class Terminal(io.StringIO):
    """Standard output that says it is a terminal, as click asks before drawing a bar."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal(monkeypatch) -> tuple[Terminal, Clock, pytest.MonkeyPatch]:
    clock = Clock()
    monkeypatch.setattr(cli, "time", clock)
    monkeypatch.setattr(click._termui_impl, "time", clock)
    return Terminal(), clock, monkeypatch


def _on_screen(terminal) -> tuple[Terminal, Clock]:
    # In the test itself: pytest puts its own capture on sys.stdout after fixtures run.
    screen, clock, monkeypatch = terminal
    monkeypatch.setattr(sys, "stdout", screen)
    return screen, clock


def _last_frame(screen: Terminal) -> str:
    return re.sub(r"\x1b\[\?25[lh]", "", screen.getvalue()).split("\r")[-1].strip()


def test_a_bar_shows_rows_done_time_left_and_rate(terminal) -> None:
    screen, clock = _on_screen(terminal)
    progress = BatchProgress("rows read")
    for _ in range(2):
        clock.now += 2
        progress("contact.phone_encrypted", 2_000, 10_000)
    progress.close()
    frame = _last_frame(screen)
    assert frame.startswith("contact.phone_encrypted rows read  [")
    # 4,000 of 10,000 in 4 s: 1,000 a second, so 6 s left.
    assert frame.endswith("]  4000/10000  1000 rows/s, 0:00:06 left"), frame


def test_a_resumed_part_counts_only_this_runs_rows(terminal) -> None:
    screen, clock = _on_screen(terminal)
    progress = BatchProgress("rows read")
    progress.resume("contact.phone_encrypted", 6_000, 10_000)
    clock.now += 2
    progress("contact.phone_encrypted", 1_000, 10_000)
    progress.close()
    frame = _last_frame(screen)
    # The bar is the 4,000 left; the rate is this run's 500 a second, not the earlier run's,
    # and 3,000 rows are left at that rate.
    assert frame.startswith("contact.phone_encrypted rows read (resumed after 6000)  [")
    assert frame.endswith("]  1000/4000  500 rows/s, 0:00:06 left"), frame
