"""CPU a request costs each process taking part: the web processes, the database, the load.

A rate ratio against the echo app says how far the service is from it, not why. On two cores
shared by everything, a rate is bounded by the CPU a request takes, all processes together:
the service's and its database's against the echo app's, each with the load generator's own
(wrk, a child of the bench, counted from the bench's children's times). Read from /proc around
a run (user and system time of each process in a group, so it counts what the processes did,
not how long they waited). Not counted: other processes, and processes that exit during the run
other than the bench's own children (short-lived database backends, autovacuum workers).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

# Web process groups by what their command line holds.
COMMAND_LINES: Mapping[str, str] = {
    "service": "service:create_app()",
    "echo app": "bench.echo_app:app",
    "floor app": "bench.floor_app:app",
}
# Groups by process name: all of PostgreSQL's processes (backends, WAL writer, checkpointer)
# are named postgres.
NAMES: Mapping[str, str] = {"postgres": "PostgreSQL"}
LOAD = "load (wrk)"


def _cpu_by_process() -> dict[tuple[int, str], float]:
    """(pid, group) -> CPU seconds so far, for every live process in a group."""
    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[tuple[int, str], float] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                stat = f.read()
            with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                command = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile, or not ours to read
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        group = NAMES.get(name) or next(
            (group for group, mark in COMMAND_LINES.items() if mark in command), None
        )
        if group is None:
            continue
        # Fields after the name (which may hold spaces): utime and stime, the 14th and 15th of
        # the whole line, are the 12th and 13th after it.
        fields = stat[stat.rindex(")") + 2 :].split()
        found[(int(entry.name), group)] = (int(fields[11]) + int(fields[12])) / ticks
    return found


def _children_cpu() -> float:
    times = os.times()
    return times.children_user + times.children_system


@dataclass
class CpuShare:
    """CPU milliseconds a request, by group, once the run is over (see cpu_during)."""

    per_request: dict[str, float] = field(default_factory=dict)

    def line(self, what: str) -> str:
        """One printable line: each group's milliseconds a request, and their sum."""
        parts = ", ".join(f"{group} {ms:.2f}" for group, ms in self.per_request.items())
        return f"cpu a request, {what}: {sum(self.per_request.values()):.2f} ms ({parts})"


@contextmanager
def cpu_during() -> Iterator[tuple[CpuShare, list[int]]]:
    """Measure the groups' CPU over the block; append the requests it served to the list.

    The bench's children that ended within the block (wrk) count as the load.
    """
    share, served = CpuShare(), []
    before, children_before = _cpu_by_process(), _children_cpu()
    yield share, served
    after, children = _cpu_by_process(), _children_cpu() - children_before
    requests = sum(served)
    totals: dict[str, float] = {LOAD: children}
    for key, seconds in after.items():
        # A process started during the block counts from zero: all it did was in the block.
        totals[key[1]] = totals.get(key[1], 0.0) + seconds - before.get(key, 0.0)
    if requests:
        share.per_request.update(
            {
                group: total * 1000 / requests
                for group, total in sorted(totals.items())
                if total * 1000 / requests >= 0.005  # idle beside the run: not printed as 0.00
            }
        )
