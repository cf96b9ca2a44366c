"""A 5,000-person broadcast: a STOP half-way through is honoured before the very next send."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from service.broadcasts.operations import create_broadcast, send_broadcast
from service.outbox.models import OutboundMessage
from service.twilio_gateway import TwilioTransport
from tests.support import factories
from tests.support.outbox import MORNING, add_contacts
from tests.support.sms import Handset

# Five thousand recipients: minutes of work, so in `make check` only.
pytestmark = pytest.mark.slow
RECIPIENTS = 5000


def test_a_stop_during_a_broadcast_means_no_more_texts(session, app, client, fake, worker):
    org = factories.create_organisation(session, numbers=("+441134960000",))
    numbers = add_contacts(session, org, RECIPIENTS)
    broadcast = create_broadcast(
        session, org, body="Bin rounds change on Monday.", audience="organisation"
    )
    assert send_broadcast(session, broadcast, app.config["FRONTLINE"], MORNING) == RECIPIENTS
    session.commit()
    # Five thousand real HTTP sends: on a loaded machine one answer from the fake can take longer
    # than the half second the other outbox tests time Twilio out at, and a text retried later
    # is not what this test is about. (tests/outbox/test_sending.py tests the timeout.)
    worker.transport = TwilioTransport(worker.config, timeout=10)
    quitter = numbers[4000]
    sent_before_stop: list[int] = []

    def stop_half_way(tried: int) -> None:
        if tried == RECIPIENTS // 2:
            assert Handset(client, quitter).send("STOP").status == 200
            sent_before_stop.append(len(fake.sent))

    worker.run(after_each=stop_half_way)
    assert sent_before_stop == [RECIPIENTS // 2]
    assert fake.to(quitter) == []
    assert len(fake.sent) == RECIPIENTS - 1
    assert len({m["To"] for m in fake.sent}) == RECIPIENTS - 1  # no one twice
    skipped = session.scalar(
        select(OutboundMessage.skip_reason).where(OutboundMessage.status == "cancelled")
    )
    assert skipped == "opted out"
    assert session.scalar(select(func.count()).where(OutboundMessage.status == "sent")) == (
        RECIPIENTS - 1
    )
