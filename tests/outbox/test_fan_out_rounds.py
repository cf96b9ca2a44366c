"""On PostgreSQL a broadcast fans out in rounds of batches written side by side, by threads.

Each batch commits in its own connection, as a worker's threads write them; a batch that
fails leaves the cursor after the last batch before it that committed, and the next run
writes the rest without a duplicate and with the broadcast's count right.
"""

from __future__ import annotations

import dataclasses
from contextlib import ExitStack

import pytest
from sqlalchemy import select
from sqlalchemy.orm import object_session

from service import pacing
from service.broadcasts import operations, rounds
from service.broadcasts.held import choose_held, release_held
from service.broadcasts.models import Broadcast
from service.broadcasts.operations import _FAN_OUT_KEY as FAN_OUT_KEY
from service.broadcasts.operations import cancel_broadcast, create_broadcast, start_broadcast
from service.contacts.operations import get_or_create_contact, join_network
from service.content.models import Network
from service.crypto import vault_of
from service.db import get_database, utcnow
from service.outbox.models import OutboundMessage
from tests.support import factories

pytestmark = pytest.mark.postgres  # connections of their own need PostgreSQL

PEOPLE = 9
SIZE = 2


def _started(app) -> tuple[int, int]:
    """A broadcast to an organisation of PEOPLE reachable people, sent (no row yet)."""
    database = get_database(app)
    with app.app_context(), database.session() as session:
        org = factories.create_organisation(session)
        for n in range(PEOPLE):
            get_or_create_contact(session, org.id, f"+4474009{n:05d}")
        broadcast = create_broadcast(session, org, body="Depot shut.", audience="organisation")
        start_broadcast(session, broadcast, app.config["FRONTLINE"], utcnow())
        session.info.pop(FAN_OUT_KEY)  # the test runs the rounds itself
        session.flush()
        return broadcast.id, org.id


def _state(app, broadcast_id: int) -> tuple[list[int], Broadcast]:
    with app.app_context(), get_database(app).session() as session:
        contacts = session.scalars(
            select(OutboundMessage.contact_id).where(OutboundMessage.broadcast_id == broadcast_id)
        ).all()
        return sorted(contacts), session.get_one(Broadcast, broadcast_id)


def test_batches_written_side_by_side_write_everyone_once(committed_app) -> None:
    assert rounds.side_by_side(get_database(committed_app))
    broadcast_id, _org = _started(committed_app)
    reports: list[tuple[int, int]] = []
    with committed_app.app_context():
        written = rounds.run_rounds(
            get_database(committed_app),
            broadcast_id,
            committed_app.config["FRONTLINE"],
            lambda done, total: reports.append((done, total)),
            size=SIZE,
            threads=3,
        )
    contacts, broadcast = _state(committed_app, broadcast_id)
    assert len(contacts) == len(set(contacts)) == PEOPLE == written
    assert broadcast.fanned_out == PEOPLE == broadcast.recipients
    assert broadcast.fanned_out_at is not None
    assert reports == [(n, PEOPLE) for n in (2, 4, 6, 8, 9)]


def test_a_round_that_fails_part_way_is_carried_on_without_duplicates(
    committed_app, monkeypatch
) -> None:
    broadcast_id, _org = _started(committed_app)
    real_write, calls = rounds.write_range, []

    def second_batch_dies(session, broadcast, config, now, *, after, last, **kept):
        calls.append(after)
        ids = real_write(session, broadcast, config, now, after=after, last=last, **kept)
        if len(calls) == 2:
            raise RuntimeError("worker killed")  # its rows roll back with it
        return ids

    monkeypatch.setattr(rounds, "write_range", second_batch_dies)
    database, config = get_database(committed_app), committed_app.config["FRONTLINE"]
    with committed_app.app_context(), pytest.raises(RuntimeError, match="worker killed"):
        rounds.run_rounds(database, broadcast_id, config, lambda *_: None, size=SIZE, threads=1)
    contacts, broadcast = _state(committed_app, broadcast_id)
    assert len(contacts) == SIZE == broadcast.fanned_out  # the first batch, counted
    assert broadcast.fan_out_after == max(contacts) and broadcast.fanned_out_at is None

    monkeypatch.setattr(rounds, "write_range", real_write)
    # The next run carries on from the cursor; one after the end adds nothing.
    with committed_app.app_context():
        written = rounds.run_rounds(database, broadcast_id, config, lambda *_: None, size=SIZE)
        again = rounds.run_rounds(database, broadcast_id, config, lambda *_: None, size=SIZE)
    contacts, broadcast = _state(committed_app, broadcast_id)
    assert len(contacts) == len(set(contacts)) == PEOPLE == written == again
    assert broadcast.fanned_out == PEOPLE and broadcast.fanned_out_at is not None


def test_a_batch_whose_broadcast_is_cancelled_meanwhile_commits_nothing(
    committed_app, monkeypatch
) -> None:
    broadcast_id, _org = _started(committed_app)
    database, config = get_database(committed_app), committed_app.config["FRONTLINE"]
    real_write = rounds.write_range

    def cancelled_while_writing(session, broadcast, config, now, *, after, last, **kept):
        ids = real_write(session, broadcast, config, now, after=after, last=last, **kept)
        # The lead's Cancel commits while the batch's rows are written but not committed:
        # its cancel of pending rows cannot see them.
        with database.session() as other:
            cancel_broadcast(other, other.get_one(Broadcast, broadcast_id))
        return ids

    monkeypatch.setattr(rounds, "write_range", cancelled_while_writing)
    with committed_app.app_context(), database.session() as session:
        assert rounds.write_one(session, broadcast_id, config, utcnow(), (0, 10**9)) == 0
    contacts, broadcast = _state(committed_app, broadcast_id)
    assert contacts == [] and broadcast.status == "cancelled" and broadcast.fanned_out == 0


def test_the_fan_out_threads_setting_is_the_batches_a_round_writes_at_once(
    committed_app, monkeypatch
) -> None:
    broadcast_id, _org = _started(committed_app)
    planned: list[int] = []
    real_next_round = rounds.next_round

    def recording(session, broadcast, now, *, size, batches):
        planned.append(batches)
        return real_next_round(session, broadcast, now, size=size, batches=batches)

    monkeypatch.setattr(rounds, "next_round", recording)
    config = dataclasses.replace(committed_app.config["FRONTLINE"], FAN_OUT_THREADS=3)
    assert committed_app.config["FRONTLINE"].FAN_OUT_THREADS == 1  # the default: one backend
    with committed_app.app_context():
        written = rounds.run_rounds(
            get_database(committed_app), broadcast_id, config, lambda *_: None, size=SIZE
        )
    contacts, _broadcast = _state(committed_app, broadcast_id)
    assert written == PEOPLE == len(set(contacts))
    assert planned and set(planned) == {3}


def test_rounds_rest_as_long_as_they_worked_holding_no_lock(committed_app, monkeypatch) -> None:
    from service import pacing

    broadcast_id, _org = _started(committed_app)
    database = get_database(committed_app)
    ticks, rests, seen = [0.0], [], []

    def clock() -> float:
        ticks[0] += 0.01
        return ticks[0]

    def sleep(seconds: float) -> None:
        rests.append(round(seconds, 6))
        # No transaction of the fan-out's is open while it rests: the row is free at once.
        with database.session() as other:
            locked = other.get_one(Broadcast, broadcast_id, with_for_update={"nowait": True})
            seen.append(locked.fanned_out)

    monkeypatch.setattr(pacing, "clock", clock)
    monkeypatch.setattr(pacing, "sleep", sleep)
    config = dataclasses.replace(
        committed_app.config["FRONTLINE"], FAN_OUT_SHARE=25, FAN_OUT_FLOOR_ROWS=0
    )
    with committed_app.app_context():
        written = rounds.run_rounds(database, broadcast_id, config, lambda *_: None, size=SIZE)
    contacts, _broadcast = _state(committed_app, broadcast_id)
    assert written == PEOPLE == len(set(contacts))
    # A quarter of the time at work: three times each round's 10 ms after it, five rounds.
    assert rests == [0.03] * 5
    assert seen == [2, 4, 6, 8, 9]  # each round committed before its rest


def test_a_run_makes_its_texts_once_for_all_its_batches(committed_app, monkeypatch) -> None:
    broadcast_id, _org = _started(committed_app)
    database, config = get_database(committed_app), committed_app.config["FRONTLINE"]
    real_texts, made = operations._texts, []

    def counted(*args):
        made.append(args)
        return real_texts(*args)

    monkeypatch.setattr(operations, "_texts", counted)
    with committed_app.app_context():
        written = rounds.run_rounds(database, broadcast_id, config, lambda *_: None, size=SIZE)
    assert written == PEOPLE and len(made) == 1  # five batches, one set of texts
    with committed_app.app_context(), database.session() as session:
        bodies = session.scalars(
            select(OutboundMessage.body_encrypted).where(
                OutboundMessage.broadcast_id == broadcast_id
            )
        ).all()
        assert {vault_of(session).decrypt(b) for b in bodies} == {"Depot shut."}


ROMANIAN = "Depoul este închis."


def _held_romanian(app) -> int:
    """A broadcast to six people, every other one Romanian, with Romanian held; sent."""
    database = get_database(app)
    with app.app_context(), database.session() as session:
        org = factories.create_organisation(session)
        for n in range(6):
            contact, _new = get_or_create_contact(session, org.id, f"+4474009{n:05d}")
            contact.language = "ro" if n % 2 else "en"
        broadcast = create_broadcast(session, org, body="Depot shut.", audience="organisation")
        choose_held(session, broadcast, ["ro"])
        start_broadcast(session, broadcast, app.config["FRONTLINE"], utcnow())
        session.info.pop(FAN_OUT_KEY)  # the test runs the rounds itself
        session.flush()
        return broadcast.id


def _texts_written(app, broadcast_id: int) -> list[tuple[str, str]]:
    """(language, text) of every row the broadcast has, in order."""
    with app.app_context(), get_database(app).session() as session:
        vault = vault_of(session)
        rows = session.execute(
            select(OutboundMessage.language, OutboundMessage.body_encrypted).where(
                OutboundMessage.broadcast_id == broadcast_id
            )
        ).all()
        return sorted((language, vault.decrypt(body)) for language, body in rows)


def test_a_language_released_while_the_first_batch_is_written_gets_its_own_text(
    committed_app, monkeypatch
) -> None:
    database, config = get_database(committed_app), committed_app.config["FRONTLINE"]
    broadcast_id = _held_romanian(committed_app)
    real_write, batches = rounds.write_range, []

    def released_during_the_first_batch(session, broadcast, config, now, **kw):
        ids = real_write(session, broadcast, config, now, **kw)
        if not batches:
            # The lead adds the Romanian while the run's first batch (two English people) is
            # being written: its texts were made with Romanian held, and the cursor the
            # restart sets is the 0 the round started from.
            with database.session() as other:
                release_held(other, other.get_one(Broadcast, broadcast_id), "ro", ROMANIAN)
                other.info.pop(FAN_OUT_KEY)  # this run carries on; no second worker
        batches.append(kw["after"])
        return ids

    monkeypatch.setattr(rounds, "write_range", released_during_the_first_batch)
    with committed_app.app_context():
        rounds.run_rounds(database, broadcast_id, config, lambda *_: None, size=SIZE)
    texts = _texts_written(committed_app, broadcast_id)
    assert texts == [("en", "Depot shut.")] * 3 + [("ro", ROMANIAN)] * 3


def test_a_release_read_before_the_first_round_ends_and_committed_after_it_restarts(
    committed_app, monkeypatch
) -> None:
    database = get_database(committed_app)
    # Rests after each round (no floor), so the release can commit after a round has ended.
    config = dataclasses.replace(committed_app.config["FRONTLINE"], FAN_OUT_FLOOR_ROWS=0)
    broadcast_id = _held_romanian(committed_app)
    releasing = ExitStack()
    loaded: list[Broadcast] = []
    real_write = rounds.write_range

    def lead_opens_the_page(session, broadcast, config, now, **kw):
        if not loaded:
            # The lead's request reads the broadcast while the cursor is still 0...
            other = releasing.enter_context(database.session())
            loaded.append(other.get_one(Broadcast, broadcast_id))
        return real_write(session, broadcast, config, now, **kw)

    def lead_submits_after_the_round(_seconds: float) -> None:
        if loaded and not releasing_done:
            # ...and commits the release once the round has moved the cursor past it.
            other = loaded[0]
            release_held(object_session(other), other, "ro", ROMANIAN)
            object_session(other).info.pop(FAN_OUT_KEY)
            releasing.close()
            releasing_done.append(True)

    releasing_done: list[bool] = []
    monkeypatch.setattr(rounds, "write_range", lead_opens_the_page)
    monkeypatch.setattr(pacing, "sleep", lead_submits_after_the_round)
    with committed_app.app_context():
        rounds.run_rounds(database, broadcast_id, config, lambda *_: None, size=SIZE)
    assert releasing_done
    texts = _texts_written(committed_app, broadcast_id)
    assert texts == [("en", "Depot shut.")] * 3 + [("ro", ROMANIAN)] * 3


def test_a_network_renamed_mid_run_is_named_anew_from_the_next_batch(
    committed_app, monkeypatch
) -> None:
    database, config = get_database(committed_app), committed_app.config["FRONTLINE"]
    with committed_app.app_context(), database.session() as session:
        org = factories.create_organisation(session)
        carers = factories.create_network(session, org=org, name="Carers")
        for n in range(4):
            contact, _new = get_or_create_contact(session, org.id, f"+4474009{n:05d}")
            join_network(session, contact, carers, channel="sms")
        broadcast = create_broadcast(
            session, org, body="Depot shut.", audience="networks", network_ids=[carers.id]
        )
        start_broadcast(session, broadcast, config, utcnow())
        session.info.pop(FAN_OUT_KEY)  # the test runs the rounds itself
        session.flush()
        broadcast_id, carers_id = broadcast.id, carers.id
    real_write, batches = rounds.write_range, []

    def renamed_after_the_first_batch(session, broadcast, config, now, **kw):
        if len(batches) == 1:
            with database.session() as other:
                other.get_one(Network, carers_id).name = "Carers Group"
        batches.append(kw["after"])
        return real_write(session, broadcast, config, now, **kw)

    monkeypatch.setattr(rounds, "write_range", renamed_after_the_first_batch)
    with committed_app.app_context():
        rounds.run_rounds(database, broadcast_id, config, lambda *_: None, size=SIZE)
    texts = [text for _language, text in _texts_written(committed_app, broadcast_id)]
    assert texts == ["Carers Group: Depot shut."] * 2 + ["Carers: Depot shut."] * 2
