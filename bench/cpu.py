"""CPU a request costs each server taking part: the web processes, and the database server.

A rate ratio against the echo app says how far the service is from it, not why. On two cores
shared by everything, the rate is bounded by the CPU a request takes, all processes together:
at 0.5x the echo app's rate the service and its database have twice the echo app's CPU a
request, and no more. Read from /proc around a run (user and system time of each process whose
command line names the group), so it counts what the processes did, not how long they waited.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

# Process groups by what their command line holds. PostgreSQL's processes name themselves
# "postgres: ..." (its backends, checkpointer, WAL writer): all of the server's work counts.
GROUPS: Mapping[str, str] = {
    "service": "service:create_app()",
    "echo app": "bench.echo_app:app",
    "floor app": "bench.floor_app:app",
    "PostgreSQL": "postgres",
}


def _cpu_by_process() -> dict[tuple[int, str], float]:
    """(pid, group) -> CPU seconds so far, for every live process in a group."""
    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[tuple[int, str], float] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                command = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{entry.name}/stat") as f:
                stat = f.read()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        group = next((name for name, mark in GROUPS.items() if mark in command), None)
        if group is None:
            continue
        # Fields after the command name (which may hold spaces): utime and stime are 14th and
        # 15th of the whole line, the 12th and 13th after it.
        fields = stat[stat.rindex(")") + 2 :].split()
        found[(int(entry.name), group)] = (int(fields[11]) + int(fields[12])) / ticks
    return found


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
    """Measure the groups' CPU over the block; append the requests it served to the list."""
    share, served = CpuShare(), []
    before = _cpu_by_process()
    yield share, served
    after = _cpu_by_process()
    requests = sum(served)
    totals: dict[str, float] = {}
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
