"""Speak-up tests: Twilio is the fake server, so deletions there can be seen."""

from __future__ import annotations

import datetime as dt

import pytest

from service.queue import huey
from tests.fake_twilio import FakeTwilio


@pytest.fixture
def fake():
    """A fake Twilio REST server that records what the service deletes at it."""
    with FakeTwilio() as server:
        yield server


@pytest.fixture
def config(config, fake):
    """Twilio at the fake."""
    return config.replace(TWILIO_API_URL=fake.url, TWILIO_FROM_NUMBER="+441134960000")


# Counters run in fixed windows (a minute, an hour): the clock is held still so a test never
# straddles the turn of one, whatever time CI runs at.
NOW = dt.datetime(2026, 12, 7, 10, 15, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock(monkeypatch) -> dt.datetime:
    """The time every speak-up entry point sees."""
    for module in ("service.sms.views", "kiosk.speakup", "service.voice.views"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: NOW)
    return NOW


@pytest.fixture(autouse=True)
def _empty_queue(app) -> None:
    """Each test starts with nothing scheduled and no salt in the (in-memory) queue storage."""
    huey.flush()
