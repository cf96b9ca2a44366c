"""A 5,000-person broadcast: a STOP half-way through is honoured before the very next send."""

from __future__ import annotations

from sqlalchemy import func, insert, select

from service.broadcasts.operations import create_broadcast, send_broadcast
from service.contacts.models import Contact
from service.crypto import vault_of
from service.outbox.models import OutboundMessage
from tests import factories
from tests.outbox.conftest import MORNING
from tests.sms.conftest import Handset

RECIPIENTS = 5000


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


def test_a_stop_during_a_broadcast_means_no_more_texts(session, app, client, fake, worker):
    org = factories.create_organisation(session, numbers=("+441134960000",))
    numbers = add_contacts(session, org, RECIPIENTS)
    broadcast = create_broadcast(
        session, org, body="Bin rounds change on Monday.", audience="organisation"
    )
    assert send_broadcast(session, broadcast, app.config["FRONTLINE"], MORNING) == RECIPIENTS
    session.commit()
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
