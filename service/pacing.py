"""Bulk work (a broadcast's fan-out, the retention purge) paced so the webhooks keep a core.

A batch of bulk work keeps a database backend busy on one core for as long as it runs; on a
two-core machine the webhooks then answer on the other one alone, with the load generator,
gunicorn's workers and their backends, and their p99 rose 3-50 times while it ran. Resting
after each batch for a time in proportion to the batch's own gives the machine back between
batches, whatever its speed, and the rest starts only after the batch's transaction ended,
so no lock is held through it.
"""

from __future__ import annotations

import statistics
import time
from collections import deque
from collections.abc import Callable

# Module level so tests can count the rests without waiting through them.
sleep: Callable[[float], None] = time.sleep
clock: Callable[[], float] = time.perf_counter

# A batch counts for at most this many times the median of the last RECENT batches' times.
OUTLIER = 3
RECENT = 15


class Pacer:
    """Rests after each batch so the work runs about `share` percent of the time.

    A batch far longer than the recent ones is rested for as three times their median: it
    mostly waited (see rest()), which took no core from anyone.

    With `floor` (rows a second), a rest never takes the rate below it: a slow or loaded
    machine, whose batches already run at less than that, does not rest at all.
    """

    def __init__(self, share: int, floor: float = 0.0) -> None:
        self.share = max(1, min(100, share))
        self.floor = floor
        self.started = clock()
        self.recent: deque[float] = deque(maxlen=RECENT)

    def start(self) -> None:
        """A batch begins now."""
        self.started = clock()

    def rest(self, rows: int) -> float:
        """The batch that began at start() wrote `rows`: rest in proportion; seconds rested."""
        work = clock() - self.started
        counted = work
        if len(self.recent) >= 3:
            # A batch far longer than those before it mostly waited: on a lock, or with its
            # process stopped or the machine paused. The wait took no core from the webhooks,
            # and resting nine times as long for it (the purge's share) stalled the work: with
            # a batch caught by the bench's SIGSTOP (3-4 s), a 27 s purge trial deleted 2,940
            # rows/s against 12,500. A lasting slowdown moves the median within a few batches.
            counted = min(work, OUTLIER * statistics.median(self.recent))
        self.recent.append(work)
        pause = counted * (100 - self.share) / self.share
        if self.floor:
            pause = min(pause, rows / self.floor - work)
        if pause <= 0:
            return 0.0
        sleep(pause)
        return pause
