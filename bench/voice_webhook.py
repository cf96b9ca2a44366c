"""Voice menu steps under gunicorn (2 workers), against a TwiML echo app on the same settings.

Each measured request is a caller pressing 1 at the main menu (the groups list is read from
the database in their language); the figures are the maximum rate under wrk (as in the SMS
bench) and p99 at half of it (paced by the Python open loop). The echo app, driven the same
way under the same gunicorn settings, is measured immediately before and after each row (its
max rate; its p99 at the service's half rate) and the ratio is against their mean, both
printed, because on a shared machine the load moves between measurements.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import (
    VENV_BIN,
    Request,
    bracketed,
    gunicorn,
    open_loop,
    record,
)
from bench.sms_webhook import DEMO_NUMBER, PUBLIC_URL, TOKEN, run_wrk, service_env

CALLERS = 600
PRESSES = 20000  # more than wrk sends in its 5 s at the echo app's rate on two cores
HALF_RATE_SECONDS = 5


def signed(path: str, form: dict[str, str]) -> Request:
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC_URL + path, form)
    return path, {"X-Twilio-Signature": signature}, form


def call_form(caller: str, sid: str, **extra: str) -> dict[str, str]:
    return {
        "CallSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": caller,
        "To": DEMO_NUMBER,
        **extra,
    }


def main_menu_action(port: int, caller: str) -> str:
    """Dial in once, choose English, and return the main menu's Gather action."""
    sid = "CA" + caller[1:]
    steps = [("/twilio/voice", {}), (None, {"Digits": "1"})]  # every call starts at languages
    xml = ""
    for path, extra in steps:
        path = path or ET.fromstring(xml).find("Gather").get("action")
        path, headers, form = signed(path, call_form(caller, sid, **extra))
        conn = HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request(
            "POST",
            path,
            body=urlencode(form),
            headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
        )
        xml = conn.getresponse().read().decode()
        conn.close()
    return ET.fromstring(xml).find("Gather").get("action")


def step_requests(action: str, callers: list[str]) -> list[Request]:
    """PRESSES signed key presses at the given menu, round the callers, each its own CallSid."""
    return [
        signed(action, call_form(callers[n % len(callers)], f"CA{n:032x}", Digits="1"))
        for n in range(PRESSES)
    ]


def max_rate(port: int, requests: list[Request], what: str) -> float:
    """wrk's rate replaying the requests for WRK_SECONDS (the SMS bench's driver and settings)."""
    return run_wrk(port, requests, what).rate


def half_rate_p99(port: int, requests: list[Request], rate: float) -> float:
    """p99 latency with the requests sent on a fixed schedule at half the given rate."""
    steady = open_loop(port, requests[: int(rate / 2 * HALF_RATE_SECONDS)], rate / 2)
    assert steady.errors == 0, f"{steady.errors} errors at half rate"
    return steady.percentile(99)


def main() -> None:
    callers = [f"+4474008{n:05d}" for n in range(CALLERS)]
    with tempfile.TemporaryDirectory() as instance:
        env = service_env(instance)
        frontline = str(VENV_BIN / "frontline")
        subprocess.run([frontline, "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run([frontline, "demo"], env=env, check=True, capture_output=True)
        # Both apps serve at once so the echo app can be measured right before and after each
        # row; the idle one takes no CPU from the other's run.
        with (
            gunicorn("bench.echo_app:app", env) as echo_port,
            gunicorn("service:create_app()", env) as port,
        ):
            action = main_menu_action(port, callers[0])
            for caller in callers[1:]:
                main_menu_action(port, caller)
            service = step_requests(action, callers)
            echo = step_requests("/twilio/voice/step", callers)
            rates: list[float] = []

            def service_rate() -> float:
                rates.append(max_rate(port, service, "menu step"))
                return rates[-1]

            rows = [
                bracketed(
                    "voice_webhook",
                    "menu step max rate",
                    service_rate,
                    lambda: max_rate(echo_port, echo, "echo menu step"),
                    "r/s",
                    target="ratio >= 0.5",
                )
            ]
            # The echo app's p99 at the very rate the service is paced at, on either side.
            rows.append(
                bracketed(
                    "voice_webhook",
                    "menu step p99 at half max rate",
                    lambda: half_rate_p99(port, service, rates[0]),
                    lambda: half_rate_p99(echo_port, echo, rates[0]),
                    "ms",
                    higher_is_better=False,
                )
            )
    record(rows)


if __name__ == "__main__":
    main()
