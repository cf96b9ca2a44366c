"""Speak-up tests: Twilio is the fake server, so deletions there can be seen."""

from __future__ import annotations

import datetime as dt

import pytest

from service.extensions import huey
from tests.support.fake_twilio import config_at_fake
from tests.support.sms import DEMO_NUMBER
from tests.support.speakup import NOW

config = config_at_fake(TWILIO_FROM_NUMBER=DEMO_NUMBER)


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
