"""A broadcast's progress comes from counts the outbox keeps as its rows change, not a count."""

from __future__ import annotations

from sqlalchemy import event, func, select, update

from service.broadcasts import operations as broadcasts
from service.broadcasts.models import BroadcastTally
from service.broadcasts.operations import create_broadcast, send_broadcast
from service.outbox.models import OutboundMessage
from service.outbox.operations import cancel_pending
from service.privacy.erasure import erase_contact
from tests.support import factories
from tests.support.outbox import MORNING

PEOPLE = 6


def _counted(session, broadcast) -> dict[str, int]:
    """The broadcast's texts by status, counted from the outbox itself."""
    rows = session.execute(
        select(OutboundMessage.status, func.count())
        .where(OutboundMessage.broadcast_id == broadcast.id)
        .group_by(OutboundMessage.status)
    )
    counts = dict.fromkeys(("waiting", "sent", "delivered", "failed", "cancelled"), 0)
    for status, n in rows:
        counts[broadcasts.PROGRESS_GROUPS[status]] += n
    return counts


def _sent(session, app):
    org = factories.create_organisation(session)
    people = [factories.create_contact(session, org=org) for _ in range(PEOPLE)]
    broadcast = create_broadcast(session, org, body="Depot closed.", audience="organisation")
    send_broadcast(session, broadcast, app.config["FRONTLINE"], MORNING)
    session.flush()
    return org, people, broadcast


def _rows(session, broadcast) -> list[OutboundMessage]:
    query = select(OutboundMessage).where(OutboundMessage.broadcast_id == broadcast.id)
    return list(session.scalars(query.order_by(OutboundMessage.id)))


def test_progress_follows_every_kind_of_change_to_the_rows(session, app) -> None:
    org, people, broadcast = _sent(session, app)
    assert broadcasts.progress(session, broadcast).counts["waiting"] == PEOPLE
    rows = _rows(session, broadcast)
    # One at a time, as a worker and a delivery report move them...
    rows[0].status = "sending"
    rows[1].status, rows[2].status = "sent", "delivered"
    session.flush()
    # ...in bulk, as a claim does...
    session.execute(
        update(OutboundMessage).where(OutboundMessage.id == rows[3].id).values(status="failed")
    )
    # ...a row of another broadcast's moved onto this one, and an erasure's cascade.
    other = create_broadcast(session, org, body="Other.", audience="organisation")
    send_broadcast(session, other, app.config["FRONTLINE"], MORNING)
    session.flush()
    session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == _rows(session, other)[0].id)
        .values(broadcast_id=broadcast.id, status="undelivered")
    )
    erase_contact(session, people[5])
    session.flush()
    cancel_pending(session, broadcast_id=broadcast.id)
    session.flush()
    state = broadcasts.progress(session, broadcast)
    assert state.counts == _counted(session, broadcast)
    assert state.counts == {"waiting": 1, "sent": 1, "delivered": 1, "failed": 2, "cancelled": 1}
    assert broadcasts.progress(session, other).counts == _counted(session, other)
    assert broadcasts.progress(session, other).total == PEOPLE - 2


def test_the_progress_poll_reads_a_few_tally_rows_and_never_the_outbox(session, app) -> None:
    _org, _people, broadcast = _sent(session, app)
    statements: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    engine = session.get_bind().engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        state = broadcasts.progress(session, broadcast)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert state.total == PEOPLE
    assert statements and all("outbound_message" not in s for s in statements)
    tallies = session.scalar(
        select(func.count()).where(BroadcastTally.broadcast_id == broadcast.id)
    )
    assert 1 <= tallies <= 8  # one per status and slot, however many texts


def test_a_deleted_organisation_takes_its_broadcasts_counts_with_it(session, app) -> None:
    org, _people, broadcast = _sent(session, app)
    broadcast_id = broadcast.id
    session.delete(org)
    session.flush()
    assert (
        session.scalar(select(func.count()).where(BroadcastTally.broadcast_id == broadcast_id)) == 0
    )
