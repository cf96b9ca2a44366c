"""A worker sends queued rows in batches: a task a batch, each text claimed just before it goes."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import Future

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from service import tasks
from service.broadcasts.operations import create_broadcast, send_broadcast
from service.contacts.models import Contact
from service.db import get_database, utcnow
from service.extensions import huey
from service.outbox import sending
from service.outbox.claims import claim_batch
from service.outbox.models import OutboundMessage
from service.twilio_gateway import TRANSPORT_KEY, SendError, SendResult, TwilioTransport
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


class Starting(TwilioTransport):
    """The real transport, keeping texts in flight; `at_start` runs just before each one goes."""

    def __init__(self, config, at_start) -> None:
        super().__init__(config)
        self.at_start, self.started = at_start, 0

    def start_send(self, **kwargs):
        """Let the test look or act, then start the send as the worker would."""
        self.started += 1
        self.at_start(self.started)
        return super().start_send(**kwargs)


WINDOW = 4


@pytest.fixture
def slow_twilio(app, config, fake):
    """Twilio answering after 0.2 s, and a window of 4 texts in flight."""
    fake.latency = 0.2
    app.config["FRONTLINE"] = config.replace(SEND_WINDOW=WINDOW)
    return fake


def test_texts_are_in_flight_at_once_yet_few_go_unrecorded(session, app, slow_twilio) -> None:
    # A kill sends again the texts Twilio took whose SIDs are not on record: never more than
    # the window, however long the batch.
    _, ids = _broadcast(session, app, 12)
    in_flight: list[int] = []
    unrecorded: list[int] = []

    def look(started: int) -> None:
        in_flight.append(started - 1 - len(slow_twilio.sent))  # started, not answered yet
        recorded = {r.twilio_sid for r in _rows(session)}
        unrecorded.append(sum(m["sid"] not in recorded for m in slow_twilio.sent))

    app.extensions[TRANSPORT_KEY] = Starting(app.config["FRONTLINE"], look)
    tasks.send_outbound_batch.call_local(ids)
    assert len(slow_twilio.sent) == 12
    assert max(in_flight) == WINDOW - 1  # the window is used: the others are at Twilio
    assert max(unrecorded) <= WINDOW - 1
    rows = _rows(session)
    assert {r.twilio_sid for r in rows} == {m["sid"] for m in slow_twilio.sent}
    assert {(r.status, r.attempts) for r in rows} == {("sent", 1)}


def test_a_stop_while_texts_are_in_flight_is_honoured_at_the_next_send(
    session, app, client, slow_twilio
) -> None:
    _, ids = _broadcast(session, app, 12)
    contacts = {c.id: c for c in session.scalars(select(Contact))}
    rows = _rows(session)
    # The first window's four texts were checked together, before any went; these come later.
    quitters = [contacts[rows[n].contact_id].phone for n in (4, 7, 11)]
    answered_at_stop: list[int] = []

    def stop_at_third(started: int) -> None:
        if started == 3:
            answered_at_stop.append(len(slow_twilio.sent))
            for phone in quitters:
                assert Handset(client, phone).send("STOP").status == 200

    app.extensions[TRANSPORT_KEY] = Starting(app.config["FRONTLINE"], stop_at_third)
    tasks.send_outbound_batch.call_local(ids)
    assert answered_at_stop == [0]  # the STOPs came while two texts were still at Twilio
    assert all(slow_twilio.to(phone) == [] for phone in quitters)
    assert len(slow_twilio.sent) == 9
    assert len({m["To"] for m in slow_twilio.sent}) == 9
    cancelled = [(r.id, r.skip_reason, r.attempts) for r in _rows(session) if r.twilio_sid is None]
    assert cancelled == [(ids[n], "opted out", 0) for n in (4, 7, 11)]


class Answering:
    """A transport whose texts are answered at once: the fourth refused, the rest taken."""

    def __init__(self) -> None:
        self.taken: dict[str, str] = {}  # SID: the number it went to

    def send(self, **kwargs):
        """Never used: a transport that can start sends keeps a window in flight."""
        raise AssertionError("start_send is used")

    def start_send(self, *, to: str, body: str, status_callback: str | None):
        """An answered future: a refusal for the fourth text, a SID for the others."""
        future: Future[SendResult] = Future()
        if len(self.taken) == 3 and not getattr(self, "refused", False):
            self.refused = True
            future.set_exception(SendError("Twilio answered 429", code=20429, transient=True))
        else:
            sid = f"SM{len(self.taken):032d}"
            self.taken[sid] = to
            future.set_result(SendResult(sid=sid, status="queued"))
        return future


def test_sids_twilio_took_are_recorded_when_a_refusal_cannot_be(
    session, app, config, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The database goes down as a refusal is being recorded: the texts Twilio took in the same
    # window must still have their SIDs written, or the lease would send them all again.
    _, ids = _broadcast(session, app, 6)
    transport = Answering()

    def down(*args, **kwargs):
        raise OperationalError("UPDATE", {}, Exception("connection refused"))

    monkeypatch.setattr(sending, "record_failure", down)
    with pytest.raises(sending.DatabaseUnreachable):
        sending.send_batch(
            get_database(app).session,
            ids,
            config.replace(SEND_WINDOW=WINDOW),
            transport,
            lambda: MORNING,
            None,
            sleep=lambda _: None,
        )
    rows = {r.twilio_sid: r for r in _rows(session) if r.twilio_sid is not None}
    assert set(rows) == set(transport.taken)  # every SID Twilio gave back is on record
    assert {r.status for r in rows.values()} == {"sent"}


def test_a_worker_past_its_lease_sends_no_text_another_worker_has_claimed(
    session, app, slow_twilio
) -> None:
    # A worker stalls past its lease (a long GC pause, a starved machine): the sweeper gives
    # its rows back and a second worker claims them. The first must not send those too.
    numbers, ids = _broadcast(session, app, 12)
    config = app.config["FRONTLINE"]
    database = get_database(app)
    lease = dt.timedelta(seconds=config.OUTBOX_LEASE_SECONDS)
    later_on = MORNING + lease + dt.timedelta(seconds=1)
    second: list[sending.Batch] = []

    def lease_runs_out(started: int) -> None:
        if started == 1:  # the first window is checked and about to go
            with database.session() as other:
                assert len(sending.stuck_rows(other, later_on, lease, queue_idle=True)) == 12
            with database.session() as other:
                second.append(claim_batch(other, ids, config, later_on))

    first = Starting(config, lease_runs_out)
    sending.send_batch(database.session, ids, config, first, lambda: MORNING, None)
    # The first window was checked before the lease ran out: those four went (the one
    # duplicate a lost lease may cost, as a crash does); none of the rest.
    assert len(slow_twilio.sent) == WINDOW
    [batch] = second
    assert len(batch.claims) == 12
    sending.send_claimed(
        database.session, batch, config, TwilioTransport(config), lambda: later_on, None
    )
    # The second worker finds the first window on record as sent and sends the other eight.
    assert sorted(m["To"] for m in slow_twilio.sent) == sorted(numbers)
    rows = _rows(session)
    assert {r.twilio_sid for r in rows} == {m["sid"] for m in slow_twilio.sent}
    assert {r.status for r in rows} == {"sent"}
