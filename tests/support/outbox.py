"""The worker's loop run by hand, with a controllable clock, and bulk recipients."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import insert, select

from service.contacts.models import Contact
from service.contacts.operations import join_network, set_discreet
from service.content.models import Network
from service.crypto import vault_of
from service.db import get_database
from service.outbox.sending import send_one
from service.twilio_gateway import DevTransport, TwilioTransport
from tests.support import factories

SENDER = "+441134960000"


# A weekday morning in London, outside quiet hours.
MORNING = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)


def send_locally(app, outbox_id: int, config) -> None:
    """Send one row as a worker with no Twilio account does (DevTransport), at MORNING."""
    send_one(get_database(app).session, outbox_id, config, DevTransport(), lambda: MORNING, None)


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

    def at_night(self, day: dt.datetime) -> float:
        """The clock at 22:30 in London on day's date (quiet hours); seconds to 08:00 next day.

        Measured in UTC: the night the clocks change is an hour longer or shorter.
        """
        night = day.astimezone(factories.LONDON).replace(
            hour=22, minute=30, second=0, microsecond=0
        )
        self.now = night.astimezone(dt.UTC)
        morning = (night + dt.timedelta(days=1)).replace(hour=8, minute=0)
        return (morning.astimezone(dt.UTC) - self.now).total_seconds()

    def advance(self, seconds: float) -> None:
        """Move the clock on and re-queue the retries that are now due."""
        self.now += dt.timedelta(seconds=seconds)
        due = [i for i, d in self.later.items() if d <= seconds]
        for outbox_id in due:
            del self.later[outbox_id]
            self.queued.append(outbox_id)
        for outbox_id in self.later:
            self.later[outbox_id] -= seconds


def add_contacts(session, org, count: int) -> list[str]:
    """Many contacts at once (bulk insert, numbers encrypted as usual); their numbers."""
    vault = vault_of(session)
    numbers = [f"+4474001{n:05d}" for n in range(count)]
    session.execute(
        insert(Contact),
        [
            {
                "organisation_id": org.id,
                "phone_encrypted": vault.encrypt(number),
                "phone_index": vault.blind_index(number),
                "language": "en",
                "discreet": False,
                "created_at": MORNING,
                "last_seen_at": MORNING,
            }
            for number in numbers
        ],
    )
    return numbers


def minds_audience(session, org) -> tuple[Network, list[Contact]]:
    """Six Minds Matter members: three English (the first discreet), two Polish, one Urdu."""
    minds = session.scalar(select(Network).where(Network.slug == "minds"))
    made = []
    for n, language in enumerate(("en", "en", "en", "pl", "pl", "ur")):
        contact = factories.create_contact(session, org=org, language=language)
        join_network(session, contact, minds, channel="sms", consent_version="v1")
        if n == 0:
            set_discreet(session, contact, True)
        made.append(contact)
    return minds, made
