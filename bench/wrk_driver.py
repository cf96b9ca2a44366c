"""Drive a server with wrk (the standard HTTP load tool) replaying pre-generated signed requests.

Every request is written to a file beforehand (its own MessageSid, a valid X-Twilio-Signature),
and bench/wrk_requests.lua replays them: the driver does no signing or encoding while it runs,
so it is not what limits the rate. Non-2xx answers and socket errors are counted, not hidden.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.common import Request

SCRIPT = Path(__file__).resolve().parent / "wrk_requests.lua"
THREADS = 2
CONNECTIONS = 8


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run measured."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    wrapped: int

    @property
    def rate(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds


def available() -> bool:
    """Whether wrk is installed (make test-tools installs it)."""
    return shutil.which("wrk") is not None


def run(port: int, requests: Sequence[Request], seconds: float) -> WrkResult:
    """Replay requests in order, as fast as CONNECTIONS connections allow, for `seconds`."""
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as out:
        for path, headers, form in requests:
            body = urllib.parse.urlencode(form)
            out.write(f"{path}\t{headers['X-Twilio-Signature']}\t{body}\n")
        name = out.name
    try:
        done = subprocess.run(
            ["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{seconds:.0f}s",
             "--timeout", "10s", "-s", str(SCRIPT), f"http://127.0.0.1:{port}",
             "--", name, str(THREADS)],
            check=True, capture_output=True, text=True,
        ).stdout
    finally:
        Path(name).unlink(missing_ok=True)
    found = re.search(r"^WRK (.*)$", done, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"wrk said nothing we can read:\n{done}")
    values = {k: int(v) for k, v in (pair.split("=") for pair in found.group(1).split())}
    return WrkResult(
        requests=values["requests"],
        seconds=values["duration_us"] / 1e6,
        p50_ms=values["p50_us"] / 1000,
        p99_ms=values["p99_us"] / 1000,
        errors=values["non2xx"] + values["socket_errors"],
        wrapped=values["wrapped"],
    )


