"""The per-sender pace is enforced by the task, through a counter in the queue's storage."""

from __future__ import annotations

import time

import pytest
from huey.exceptions import RateLimitExceeded

from service import tasks
from service.outbox.operations import send_to_contact
from tests.support import factories


@pytest.fixture
def config(config):
    """Three messages a second, quiet hours off."""
    return config.replace(SMS_SEND_RATE=3, QUIET_HOURS="")


def test_the_fourth_send_in_a_second_waits(session, app, fake) -> None:
    org = factories.create_organisation(session)
    contact = factories.create_contact(session, org=org)
    ids = [
        send_to_contact(
            session, contact.id, org.id, f"message {n}", kind="self", dedupe_key=f"pace{n}"
        )
        for n in range(4)
    ]
    session.commit()
    while time.time() % 1 > 0.2:  # start near the beginning of a one-second window
        time.sleep(0.01)
    for outbox_id in ids[:3]:
        tasks.send_outbound.call_local(outbox_id)
    with pytest.raises(RateLimitExceeded):
        tasks.send_outbound.call_local(ids[3])  # huey retries it when the window resets
    assert len(fake.sent) == 3
