"""An erasure during a broadcast's fan-out deletes the texts the fan-out writes for the person.

The outbox holds no foreign key to the contact (migration 0041: checking it row by row was most
of a fan-out's cost), so the order is kept by a lock instead: a fan-out batch under way holds
off erasures in its organisation until it commits, then the erasure deletes what it wrote.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from service.broadcasts import rounds
from service.broadcasts.operations import _FAN_OUT_KEY as FAN_OUT_KEY
from service.broadcasts.operations import create_broadcast, start_broadcast
from service.contacts.models import Contact
from service.contacts.operations import get_or_create_contact
from service.db import get_database, utcnow
from service.outbox.models import OutboundMessage
from service.privacy.erasure import erase_contact
from tests.support import factories

pytestmark = pytest.mark.postgres  # two connections at once need PostgreSQL

PEOPLE = 3


def _texts_to(app, contact_id: int) -> int:
    with app.app_context(), get_database(app).session() as session:
        return session.scalar(
            select(func.count())
            .select_from(OutboundMessage)
            .where(OutboundMessage.contact_id == contact_id)
        )


def test_an_erasure_waits_for_the_batch_under_way_then_deletes_its_text(committed_app) -> None:
    database = get_database(committed_app)
    config = committed_app.config["FRONTLINE"]
    with committed_app.app_context():
        with database.session() as session:
            org = factories.create_organisation(session)
            people = [
                get_or_create_contact(session, org.id, f"+4474008{n:05d}")[0] for n in range(PEOPLE)
            ]
            broadcast = create_broadcast(session, org, body="Depot shut.", audience="organisation")
            start_broadcast(session, broadcast, config, utcnow())
            session.info.pop(FAN_OUT_KEY)  # the test writes the batch itself
            session.flush()
            broadcast_id, erased = broadcast.id, people[1].id
        batch = database.sessionmaker()
        try:
            # A batch under way: it has read the person and written their text, uncommitted.
            assert rounds.write_one(batch, broadcast_id, config, utcnow(), (0, 10**9)) == PEOPLE
            # Meanwhile the erasure waits for the batch, rather than deleting around its row.
            with (
                pytest.raises(OperationalError, match="lock timeout"),
                database.session() as session,
            ):
                session.execute(text("SET LOCAL lock_timeout = '300ms'"))
                erase_contact(session, session.get_one(Contact, erased))
            batch.commit()
        finally:
            batch.close()
        assert _texts_to(committed_app, erased) == 1
        with database.session() as session:
            erase_contact(session, session.get_one(Contact, erased))
    # Once the batch has committed the erasure goes ahead, and its text goes with the person.
    assert _texts_to(committed_app, erased) == 0
    assert _texts_to(committed_app, people[0].id) == 1
