"""SMS webhook under gunicorn (2 workers): EVENTS (read) and JOIN + YES (write) against echo.

The baseline is a minimal Flask app that answers with TwiML, served by the same gunicorn
settings and driven by the same load code in the same run, so the ratio survives a noisy
shared machine. Figures: maximum rate (closed loop) and p99 latency at half that rate.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from twilio.request_validator import RequestValidator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import (
    VENV_BIN,
    Figure,
    Request,
    closed_loop,
    gunicorn,
    open_loop,
    record,
)

PUBLIC_URL = "http://bench.invalid"
TOKEN = "bench-auth-token"
DEMO_NUMBER = "+441134960000"
CONCURRENCY = 8
HALF_RATE_SECONDS = 5


def service_env(instance: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTLINE_")}
    env.update(
        FRONTLINE_INSTANCE_DIR=instance,
        FRONTLINE_ENV="development",
        FRONTLINE_PUBLIC_URL=PUBLIC_URL,
        FRONTLINE_TWILIO_AUTH_TOKEN=TOKEN,
        FRONTLINE_LOG_LEVEL="WARNING",
    )
    return env


class Texts:
    """Signed webhook requests with fresh MessageSids."""

    def __init__(self) -> None:
        self.validator = RequestValidator(TOKEN)
        self.serial = 0

    def __call__(self, sender: str, body: str) -> Request:
        self.serial += 1
        sid = f"SM{self.serial:032x}"
        form = {"MessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": sender,
                "To": DEMO_NUMBER, "Body": body, "NumSegments": "1"}
        signature = self.validator.compute_signature(PUBLIC_URL + "/twilio/sms", form)
        return "/twilio/sms", {"X-Twilio-Signature": signature}, form


def measure(port: int, texts: Texts, numbers: list[str], kind: str) -> tuple[float, float]:
    """(maximum rate, p99 at half that rate) for EVENTS or JOIN + YES."""
    def conversations(offset: int, count: int) -> list[list[Request]]:
        chosen = numbers[offset : offset + count]
        if kind == "events":
            return [[texts(n, "EVENTS")] for n in chosen]
        return [[texts(n, "JOIN MINDS"), texts(n, "YES")] for n in chosen]

    peak = closed_loop(port, conversations(0, 600), CONCURRENCY)
    assert peak.errors == 0, f"{kind}: {peak.errors} errors"
    half = peak.rate / 2
    pairs = int(half * HALF_RATE_SECONDS / (1 if kind == "events" else 2))
    paced = [r for c in conversations(600, pairs) for r in c]
    if kind != "events":
        # Keep each JOIN before its YES: send the JOINs first, then the YESes.
        paced = paced[0::2] + paced[1::2]
    steady = open_loop(port, paced, half)
    assert steady.errors == 0, f"{kind}: {steady.errors} errors at half rate"
    return peak.rate, steady.percentile(99)


def main() -> None:
    with tempfile.TemporaryDirectory() as instance:
        env = service_env(instance)
        frontline = str(VENV_BIN / "frontline")
        subprocess.run([frontline, "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run([frontline, "demo"], env=env, check=True, capture_output=True)
        texts = Texts()
        numbers = [f"+4474009{n:05d}" for n in range(3000)]
        with gunicorn("service:create_app()", env) as port:
            # Every number texts once first, so the figures are for returning members.
            closed_loop(port, [[texts(n, "HELP")] for n in numbers], CONCURRENCY)
            events_rate, events_p99 = measure(port, texts, numbers[:1500], "events")
            join_rate, join_p99 = measure(port, texts, numbers[1500:], "join")
        with gunicorn("bench.echo_app:app", env) as port:
            echo_rate, echo_p99 = measure(port, texts, numbers, "events")

    record([
        Figure("sms_webhook", "EVENTS max rate", events_rate, echo_rate, "r/s",
               target="ratio >= 0.5"),
        Figure("sms_webhook", "JOIN+YES max rate", join_rate, echo_rate, "r/s",
               target="ratio >= 0.3"),
        Figure("sms_webhook", "EVENTS p99 at half max rate", events_p99, echo_p99, "ms",
               higher_is_better=False, target="value <= 25 ms"),
        Figure("sms_webhook", "JOIN+YES p99 at half max rate", join_p99, echo_p99, "ms",
               higher_is_better=False, target="value <= 25 ms"),
    ])


if __name__ == "__main__":
    main()
