"""A broadcast fans out in workers, in batches: Send answers at once, a crash loses nothing."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import event, func, select

from service.broadcasts import operations as broadcasts
from service.broadcasts import rounds
from service.broadcasts.fan_out import UNION_TEXTS
from service.broadcasts.models import Broadcast
from service.broadcasts.operations import create_broadcast, start_broadcast
from service.contacts.operations import join_network
from service.content.models import Network
from service.crypto import vault_of
from service.db import get_database
from service.outbox.models import OutboundMessage
from service.tasks import fan_out_broadcast
from tests.support import factories
from tests.support.outbox import MORNING

PEOPLE = 7
BATCH = 3


@pytest.fixture
def members(session):
    org = factories.create_organisation(session)
    carers = factories.create_network(session, org=org, name="Carers Network")
    people = [factories.create_contact(session, org=org) for _ in range(PEOPLE)]
    for person in people:
        join_network(session, person, carers, channel="sms")
    factories.create_contact(session, org=org)  # not a member: not in the audience
    return org, carers, people


def _rows(session, broadcast) -> list[int]:
    return list(
        session.scalars(
            select(OutboundMessage.contact_id).where(OutboundMessage.broadcast_id == broadcast.id)
        )
    )


def _start(session, app, org, carers) -> int:
    broadcast = create_broadcast(
        session, org, body="Meeting moved.", audience="networks", network_ids=[carers.id]
    )
    # Send writes no rows and counts nobody: it hands the whole audience to a worker.
    assert start_broadcast(session, broadcast, app.config["FRONTLINE"], MORNING) == "sending"
    assert _rows(session, broadcast) == [] and broadcast.recipients == 0
    broadcast_id = broadcast.id
    session.info.pop(broadcasts._FAN_OUT_KEY)  # the test runs the worker itself
    session.commit()
    return broadcast_id


def test_the_worker_writes_every_row_in_batches_and_logs_progress(
    session, app, members, monkeypatch, caplog
) -> None:
    org, carers, people = members
    monkeypatch.setattr(broadcasts, "FAN_OUT_BATCH", BATCH)
    monkeypatch.setattr(broadcasts.fan_out_batch, "__kwdefaults__", {"size": BATCH, "plans": None})
    broadcast_id = _start(session, app, org, carers)
    with caplog.at_level(logging.INFO, logger="service.tasks"):
        fan_out_broadcast.call_local(broadcast_id)
    broadcast = session.get_one(Broadcast, broadcast_id)
    session.refresh(broadcast)
    assert sorted(_rows(session, broadcast)) == sorted(p.id for p in people)
    assert broadcast.fanned_out == PEOPLE and broadcast.fanned_out_at is not None
    assert broadcast.recipients == PEOPLE  # counted by the worker
    progress = [r.getMessage() for r in caplog.records if "fan-out" in r.getMessage()]
    assert progress == [
        f"broadcast {broadcast_id} fan-out: 3 of 7 rows written",
        f"broadcast {broadcast_id} fan-out: 6 of 7 rows written",
        f"broadcast {broadcast_id} fan-out: 7 of 7 rows written",
        f"broadcast {broadcast_id} fan-out finished: 7 rows written",
    ]


def test_each_batch_after_the_first_reuses_the_compiled_insert(
    session, app, members, monkeypatch, connection
) -> None:
    # Compiling the batch's INSERT ... SELECT took 17-19% of a worker's time at 1,000 people a
    # batch, while webhooks queued behind it: SQLAlchemy never caches a statement holding a
    # VALUES list, and the broadcast's texts were one. The same compiled form is reused now.
    org, carers, _people = members
    monkeypatch.setattr(broadcasts, "FAN_OUT_BATCH", BATCH)
    monkeypatch.setattr(broadcasts.fan_out_batch, "__kwdefaults__", {"size": BATCH, "plans": None})
    broadcast_id = _start(session, app, org, carers)
    compiled = []

    def before(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith(("INSERT INTO OUTBOUND_MESSAGE", "WITH")):
            compiled.append(context.compiled)

    event.listen(connection, "before_cursor_execute", before)
    try:
        fan_out_broadcast.call_local(broadcast_id)
    finally:
        event.remove(connection, "before_cursor_execute", before)
    assert len(compiled) == 3  # 7 people in batches of 3
    assert compiled[1] is compiled[0] and compiled[2] is compiled[0]


def test_the_worker_makes_the_texts_once_and_names_a_renamed_network_anew(
    session, app, members, monkeypatch
) -> None:
    # Making the texts took two queries per language and an encryption per text, every batch.
    # They are kept now, until the organisation's content changes, as a rename mid-run does.
    org, carers, _people = members
    monkeypatch.setattr(broadcasts.fan_out_batch, "__kwdefaults__", {"size": BATCH, "plans": None})
    broadcast_id = _start(session, app, org, carers)
    real_texts, real_write, made = broadcasts._texts, broadcasts.write_range, []

    def counted(*args):
        made.append(args)
        return real_texts(*args)

    def renamed_after_the_first_batch(session, broadcast, config, now, **kw):
        network = session.get_one(Network, carers.id)
        if kw["after"] > 0 and network.name == "Carers Network":
            network.name = "Carers Group"
            session.flush()
        return real_write(session, broadcast, config, now, **kw)

    monkeypatch.setattr(broadcasts, "_texts", counted)
    monkeypatch.setattr(broadcasts, "write_range", renamed_after_the_first_batch)
    fan_out_broadcast.call_local(broadcast_id)
    assert len(made) == 2  # three batches: the first's texts, then the renamed network's
    vault = vault_of(session)
    texts = [
        vault.decrypt(body)
        for body in session.scalars(
            select(OutboundMessage.body_encrypted)
            .where(OutboundMessage.broadcast_id == broadcast_id)
            .order_by(OutboundMessage.contact_id)
        )
    ]
    assert texts == ["Carers Network: Meeting moved."] * BATCH + [
        "Carers Group: Meeting moved."
    ] * (PEOPLE - BATCH)


def test_a_broadcast_to_forty_networks_names_each_member_s_first_network(
    session, app, monkeypatch
) -> None:
    # 560 texts: past SQLite's 500 terms of a compound SELECT, so not the cached union. A batch
    # a person: the run's one statement, with its VALUES list, is executed for each.
    monkeypatch.setattr(broadcasts.fan_out_batch, "__kwdefaults__", {"size": 1, "plans": None})
    org = factories.create_organisation(session)
    networks = [factories.create_network(session, org=org, name=f"Team {n:02d}") for n in range(40)]
    last_only, fifth_and_last = (factories.create_contact(session, org=org) for _ in range(2))
    join_network(session, last_only, networks[39], channel="sms")
    for network in (networks[5], networks[39]):
        join_network(session, fifth_and_last, network, channel="sms")
    factories.create_contact(session, org=org)  # in none of them: not in the audience
    everyone = [network.id for network in networks]
    broadcast = create_broadcast(
        session, org, body="Meeting moved.", audience="networks", network_ids=everyone
    )
    assert len(broadcasts._texts(session, broadcast, broadcast.network_ids)) > UNION_TEXTS
    start_broadcast(session, broadcast, app.config["FRONTLINE"], MORNING)
    session.info.pop(broadcasts._FAN_OUT_KEY)  # the test runs the worker itself
    session.commit()

    fan_out_broadcast.call_local(broadcast.id)

    vault = vault_of(session)
    texts = dict(
        session.execute(
            select(OutboundMessage.contact_id, OutboundMessage.body_encrypted).where(
                OutboundMessage.broadcast_id == broadcast.id
            )
        ).all()
    )
    assert {who: vault.decrypt(body) for who, body in texts.items()} == {
        last_only.id: "Team 39: Meeting moved.",
        fifth_and_last.id: "Team 05: Meeting moved.",
    }


def test_a_worker_that_dies_mid_batch_is_resumed_without_duplicates(
    session, app, members, monkeypatch
) -> None:
    org, carers, people = members
    monkeypatch.setattr(broadcasts.fan_out_batch, "__kwdefaults__", {"size": BATCH, "plans": None})
    broadcast_id = _start(session, app, org, carers)
    real_write = broadcasts.fan_out.write_batch
    calls = 0

    def dies_in_second_batch(*args, **kwargs):
        nonlocal calls
        calls += 1
        ids = real_write(*args, **kwargs)  # the batch's rows are written...
        if calls == 2:
            raise RuntimeError("worker killed")  # ...and the process dies before committing
        return ids

    monkeypatch.setattr(broadcasts.fan_out, "write_batch", dies_in_second_batch)
    with pytest.raises(RuntimeError, match="worker killed"):
        fan_out_broadcast.call_local(broadcast_id)
    broadcast = session.get_one(Broadcast, broadcast_id)
    session.refresh(broadcast)
    assert len(_rows(session, broadcast)) == BATCH  # the first batch only: the second rolled back
    assert broadcast.fanned_out == BATCH and broadcast.fanned_out_at is None
    assert broadcasts.unfinished_fan_outs(session) == [broadcast_id]  # the sweeper will see it

    fan_out_broadcast.call_local(broadcast_id)  # the next worker carries on from the cursor
    session.refresh(broadcast)
    contact_ids = _rows(session, broadcast)
    assert sorted(contact_ids) == sorted(p.id for p in people)
    assert broadcast.fanned_out == PEOPLE and broadcast.fanned_out_at is not None
    assert broadcasts.unfinished_fan_outs(session) == []


def test_a_batch_written_twice_adds_no_row(session, app, members) -> None:
    org, carers, _people = members
    broadcast_id = _start(session, app, org, carers)
    fan_out_broadcast.call_local(broadcast_id)
    broadcast = session.get_one(Broadcast, broadcast_id)
    session.refresh(broadcast)
    # A cursor from before the rows were written (as if the commit's answer was lost).
    broadcast.fan_out_after, broadcast.fanned_out_at = 0, None
    session.commit()
    fan_out_broadcast.call_local(broadcast_id)
    total = session.scalar(select(func.count()).where(OutboundMessage.broadcast_id == broadcast_id))
    assert total == PEOPLE


def test_the_console_send_answers_before_any_row_and_shows_progress(
    session, app, members, queued
) -> None:
    org, carers, _people = members
    broadcast = create_broadcast(
        session, org, body="Meeting moved.", audience="networks", network_ids=[carers.id]
    )
    start_broadcast(session, broadcast, app.config["FRONTLINE"], MORNING)
    session.info.pop(broadcasts._FAN_OUT_KEY)
    session.flush()
    from service.console.broadcasts import _status_line

    state = broadcasts.progress(session, broadcast)
    assert _status_line(broadcast, state) == "Preparing: counting the people it reaches."
    broadcasts.fan_out_batch(session, broadcast, app.config["FRONTLINE"], MORNING, size=BATCH)
    state = broadcasts.progress(session, broadcast)
    assert _status_line(broadcast, state) == "Preparing: 3 of 7 texts written, 0 have left."


class Rests:
    """A fake clock that moves 10 ms a reading and a sleep that records instead of waiting."""

    def __init__(self, monkeypatch, look=None) -> None:
        from service import pacing

        self.now, self.rests, self.look = 0.0, [], look
        monkeypatch.setattr(pacing, "clock", self.clock)
        monkeypatch.setattr(pacing, "sleep", self.sleep)

    def clock(self) -> float:
        self.now += 0.01
        return self.now

    def sleep(self, seconds: float) -> None:
        self.rests.append(round(seconds, 6))
        if self.look is not None:
            self.look()


def test_the_worker_rests_between_batches_holding_nothing(session, app, members, monkeypatch):
    org, carers, people = members
    monkeypatch.setattr(broadcasts.fan_out_batch, "__kwdefaults__", {"size": BATCH, "plans": None})
    config = app.config["FRONTLINE"].replace(FAN_OUT_SHARE=50, FAN_OUT_FLOOR_ROWS=0)
    monkeypatch.setitem(app.config, "FRONTLINE", config)
    # On PostgreSQL the worker writes in rounds (service.broadcasts.rounds): the same batches.
    real_rounds = rounds.run_rounds
    monkeypatch.setattr(
        rounds, "run_rounds", lambda *args, **kwargs: real_rounds(*args, size=BATCH, **kwargs)
    )
    broadcast_id = _start(session, app, org, carers)
    database = get_database(app)
    seen: list[int] = []

    def look() -> None:
        # While it rests, a lead's cancel or another worker could take the broadcast at once.
        with database.session() as other:
            locked = other.get(Broadcast, broadcast_id, with_for_update={"nowait": True})
            seen.append(locked.fanned_out)

    rests = Rests(monkeypatch, look)
    fan_out_broadcast.call_local(broadcast_id)
    broadcast = session.get_one(Broadcast, broadcast_id)
    session.refresh(broadcast)
    assert sorted(_rows(session, broadcast)) == sorted(p.id for p in people)
    # Half the time at work: after each batch a rest as long as it (one 10 ms tick).
    assert rests.rests == [0.01, 0.01, 0.01]
    assert seen == [3, 6, 7]  # each batch committed before its rest


def test_a_worker_slower_than_the_floor_does_not_rest(session, app, members, monkeypatch):
    org, carers, people = members
    broadcast_id = _start(session, app, org, carers)
    rests = Rests(monkeypatch)
    # The defaults: 35% of the time, but never below 20,000 rows a second; 7 rows in 10 ms
    # is 700 a second, so there is no rest to take.
    fan_out_broadcast.call_local(broadcast_id)
    broadcast = session.get_one(Broadcast, broadcast_id)
    session.refresh(broadcast)
    assert sorted(_rows(session, broadcast)) == sorted(p.id for p in people)
    assert rests.rests == []
