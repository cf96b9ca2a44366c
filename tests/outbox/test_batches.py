"""A worker sends queued rows in batches: a task a batch, each text claimed just before it goes."""

from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import select

from service import tasks
from service.broadcasts.operations import create_broadcast, send_broadcast
from service.contacts.models import Contact
from service.db import utcnow
from service.extensions import huey
from service.outbox.models import OutboundMessage
from service.twilio_gateway import TRANSPORT_KEY, TwilioTransport
from tests.support import factories
from tests.support.outbox import MORNING
from tests.support.sms import DEMO_NUMBER, Handset


@pytest.fixture
def config(config):
    """No pace limit and no quiet hours unless a test sets them."""
    return config.replace(SMS_SEND_RATE=0, QUIET_HOURS="")


class Watching:
    """The real transport to the fake Twilio, running `after` once each text is accepted."""

    def __init__(self, inner: TwilioTransport, after) -> None:
        self.inner, self.after, self.count = inner, after, 0

    def send(self, **kwargs):
        """Send through the real transport, then let the test look or act."""
        result = self.inner.send(**kwargs)
        self.count += 1
        self.after(self.count)
        return result


def _broadcast(session, app, people: int) -> tuple[list[str], list[int]]:
    org = factories.create_organisation(session, numbers=(DEMO_NUMBER,))
    numbers = [factories.create_contact(session, org=org).phone for _ in range(people)]
    broadcast = create_broadcast(session, org, body="Depot open as usual.", audience="organisation")
    send_broadcast(session, broadcast, app.config["FRONTLINE"], MORNING)
    session.commit()
    ids = list(session.scalars(select(OutboundMessage.id).order_by(OutboundMessage.id)))
    return numbers, ids


def _rows(session) -> list[OutboundMessage]:
    session.expire_all()
    return list(session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)))


def test_a_batch_sends_each_text_once_and_records_every_sid(session, app, fake, queued) -> None:
    numbers, ids = _broadcast(session, app, 5)
    tasks.send_outbound_batch.call_local(ids)
    assert sorted(m["To"] for m in fake.sent) == sorted(numbers)
    sids = {m["sid"] for m in fake.sent}
    assert {(r.status, r.attempts) for r in _rows(session)} == {("sent", 1)}
    assert {r.twilio_sid for r in _rows(session)} == sids
    tasks.send_outbound_batch.call_local(ids)  # the same batch again (a duplicate task)
    assert len(fake.sent) == 5


def test_each_sid_is_on_record_before_the_next_text_goes(session, app, fake) -> None:
    # So a worker killed between two sends sends at most the one in flight again.
    _, ids = _broadcast(session, app, 4)
    unrecorded_at_send: list[int] = []

    def look(count: int) -> None:
        rows = _rows(session)
        recorded = sum(r.twilio_sid is not None for r in rows)
        unrecorded_at_send.append(count - recorded)

    app.extensions[TRANSPORT_KEY] = Watching(TwilioTransport(app.config["FRONTLINE"]), look)
    tasks.send_outbound_batch.call_local(ids)
    assert unrecorded_at_send == [1, 1, 1, 1]  # only the text just accepted
    assert all(r.twilio_sid for r in _rows(session))


def test_a_stop_half_way_through_a_batch_is_honoured_at_the_next_send(
    session, app, client, fake
) -> None:
    _, ids = _broadcast(session, app, 6)
    contacts = {c.id: c for c in session.scalars(select(Contact))}
    later = contacts[_rows(session)[4].contact_id].phone  # two texts after the STOP

    def stop_after_third(count: int) -> None:
        if count == 3:
            assert Handset(client, later).send("STOP").status == 200

    app.extensions[TRANSPORT_KEY] = Watching(
        TwilioTransport(app.config["FRONTLINE"]), stop_after_third
    )
    tasks.send_outbound_batch.call_local(ids)
    assert fake.to(later) == []
    assert len(fake.sent) == 5
    skipped = [r for r in _rows(session) if r.status == "cancelled"]
    assert [(r.id, r.skip_reason) for r in skipped] == [(ids[4], "opted out")]


def test_over_the_pace_the_rest_of_a_batch_waits_for_the_next_window(
    session, app, fake, config
) -> None:
    app.config["FRONTLINE"] = config.replace(SMS_SEND_RATE=3)
    _, ids = _broadcast(session, app, 5)
    huey.storage.flush_schedule()
    # Three a second: the clock stands still so the batch is sent within one second's window.
    with time_machine.travel(utcnow(), tick=False):
        tasks._sender_limit(3).reset()
        tasks.send_outbound_batch.call_local(ids)
    assert len(fake.sent) == 3
    statuses = [r.status for r in _rows(session)]
    assert statuses == ["sent"] * 3 + ["pending"] * 2
    [again] = huey.scheduled()
    assert (again.name, again.args) == ("send_outbound_batch", (ids[3:],))
