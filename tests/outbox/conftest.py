"""Outbox tests: the fake Twilio server, a config pointing at it, and the worker's loop."""

from __future__ import annotations

import pytest

from tests.support.fake_twilio import config_at_fake
from tests.support.outbox import SENDER, Worker

# No pace limit, so tests run at full speed.
config = config_at_fake(TWILIO_FROM_NUMBER=SENDER, SMS_SEND_RATE=0, MAX_DAILY_TEXTS=1000)


@pytest.fixture
def worker(app, queued) -> Worker:
    """The worker loop, run by hand."""
    return Worker(app, queued)
