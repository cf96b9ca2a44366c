"""Outbox tests: the fake Twilio server, a config pointing at it, and the worker's loop."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from service.db import get_database
from service.outbox.sending import send_one
from service.twilio_gateway import TwilioTransport
from tests.fake_twilio import FakeTwilio

SENDER = "+441134960000"
# A weekday morning in London, outside quiet hours.
MORNING = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def fake():
    """A fake Twilio REST server on 127.0.0.1."""
    with FakeTwilio() as server:
        yield server


@pytest.fixture
def config(config, fake):
    """Twilio configured, pointed at the fake; no pace limit, so tests run at full speed."""
    return config.replace(
        TWILIO_FROM_NUMBER=SENDER,
        TWILIO_API_URL=fake.url,
        SMS_SEND_RATE=0,
        MAX_DAILY_TEXTS=1000,
    )


class Worker:
    """Runs the worker's code on queued rows, in this process, with a controllable clock."""

    def __init__(self, app, queued: list[int]) -> None:
        self.app = app
        self.queued = queued
        self.now = MORNING
        self.config = app.config["FRONTLINE"]
        self.transport = TwilioTransport(self.config, timeout=0.5)
        self.later: dict[int, float] = {}

    def run(self, *, after_each: Callable[[int], None] | None = None) -> int:
        """Send everything queued (and re-queued by retries that are due); how many tried."""
        tried = 0
        while self.queued:
            outbox_id = self.queued.pop(0)
            delay = send_one(
                get_database(self.app).session,
                outbox_id,
                self.config,
                self.transport,
                lambda: self.now,
                "https://frontline.example.org/twilio/sms/status?outbox_id={id}",
            )
            tried += 1
            if delay:
                self.later[outbox_id] = delay
            if after_each is not None:
                after_each(tried)
        return tried

    def advance(self, seconds: float) -> None:
        """Move the clock on and re-queue the retries that are now due."""
        self.now += dt.timedelta(seconds=seconds)
        due = [i for i, d in self.later.items() if d <= seconds]
        for outbox_id in due:
            del self.later[outbox_id]
            self.queued.append(outbox_id)
        for outbox_id in self.later:
            self.later[outbox_id] -= seconds


@pytest.fixture
def worker(app, queued) -> Worker:
    """The worker loop, run by hand."""
    return Worker(app, queued)
