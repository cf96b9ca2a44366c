"""Child processes the tests start (servers, workers, a cluster): waiting on and stopping them."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(condition: Callable[[], T], seconds: float, what: str, every: float = 0.25) -> T:
    """condition()'s first true answer, asked every `every` seconds; fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(every)
    raise AssertionError(f"{what} did not happen within {seconds:.0f} s")


def stop_group(process: subprocess.Popen, grace: float = 15) -> None:
    """Stop a process started in its own session, and its children: SIGTERM, then SIGKILL."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
