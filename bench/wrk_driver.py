"""Drive a server with wrk (the standard HTTP load tool) replaying pre-generated signed requests.

Every request is written to a file beforehand (its own MessageSid, a valid X-Twilio-Signature),
and bench/wrk_requests.lua replays them: the driver does no signing or encoding while it runs,
so it is not what limits the rate. Non-2xx answers and socket errors are counted, not hidden.
"""

from __future__ import annotations

import re
import shutil
import signal
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


def _until_sent(command: list[str]) -> str:
    """wrk's output, interrupting it (it then reports as at the end) once every thread is done."""
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as wrk:
        assert wrk.stdout is not None
        lines, finished = [], 0
        for line in wrk.stdout:
            lines.append(line)
            finished += line.startswith("WRK-THREAD-FINISHED")
            if finished == THREADS:
                wrk.send_signal(signal.SIGINT)
        if wrk.wait() != 0:
            raise subprocess.CalledProcessError(wrk.returncode, command, "".join(lines))
    return "".join(lines)


def run(port: int, requests: Sequence[Request], seconds: float, *, once: bool = False) -> WrkResult:
    """Replay requests in order, as fast as CONNECTIONS connections allow, for `seconds`.

    once: send each request once and stop there (`seconds` is then only a limit).
    """
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as out:
        # wrk calls the first thread's request() once to check the script before it starts,
        # which uses up that thread's first line: a copy of the first request goes there (the
        # same MessageSid, so a retry if it is ever sent), and every real one is sent.
        for path, headers, form in [*requests[:1], *requests]:
            body = urllib.parse.urlencode(form)
            out.write(f"{path}\t{headers['X-Twilio-Signature']}\t{body}\n")
        name = out.name
    command = [
        "wrk",
        "-t",
        str(THREADS),
        "-c",
        str(CONNECTIONS),
        "-d",
        f"{seconds:.0f}s",
        "--timeout",
        "10s",
        "-s",
        str(SCRIPT),
        f"http://127.0.0.1:{port}",
        "--",
        name,
        str(THREADS),
        *(["ONCE"] if once else []),
    ]
    try:
        done = (
            _until_sent(command)
            if once
            else subprocess.run(command, check=True, capture_output=True, text=True).stdout
        )
    finally:
        Path(name).unlink(missing_ok=True)
    found = re.search(r"^WRK (.*)$", done, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"wrk said nothing we can read:\n{done}")
    values = {k: int(v) for k, v in (pair.split("=") for pair in found.group(1).split())}
    return WrkResult(
        # With once, the repeats of each thread's last request (sent while the others finish)
        # are taken off; those still unanswered when wrk stopped make the count a few low.
        requests=values["requests"] - values["again"],
        seconds=values["duration_us"] / 1e6,
        p50_ms=values["p50_us"] / 1000,
        p99_ms=values["p99_us"] / 1000,
        errors=values["non2xx"] + values["socket_errors"],
        wrapped=values["wrapped"],
    )
