"""Huey tasks and periodic jobs. A task carries only ids; each opens its own database session."""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable, Iterable

from flask import Flask, current_app, has_app_context
from huey import crontab
from sqlalchemy.orm import Session

from service.db import get_database, utcnow
from service.extensions import huey
from service.queue import enqueued_together

log = logging.getLogger(__name__)
_worker_app: Flask | None = None


def use_app(app: Flask) -> None:
    """The app a worker's tasks run in: `frontline worker` hands over the one it built."""
    # Handed in rather than built here: the tasks are core, and the app that assembles every
    # channel sits above them, so this module never imports it.
    global _worker_app
    _worker_app = app


def task_app() -> Flask:
    """The app a task runs in: the caller's in immediate mode, the worker's otherwise."""
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    if _worker_app is None:
        raise RuntimeError("a task ran outside an app: start workers with `frontline worker`")
    return _worker_app


# Outbox rows per send task: a task costs the queue a write to put and one to take, and its
# claim and last record a few statements each, whatever its size; a batch shares them (at 200
# rather than 50 a worker spends a fifth less CPU a text). Small enough that several workers
# share a broadcast: a million texts are 5,000 tasks.
SEND_BATCH = 200


def queue_outbox(ids: Iterable[int]) -> None:
    """Put outbox rows on the queue, a task per batch of ids; if the queue is down, leave them."""
    ids = list(ids)
    # A broadcast's batch of thousands of rows is hundreds of tasks: one write for them all.
    try:
        with enqueued_together(huey):
            for start in range(0, len(ids), SEND_BATCH):
                batch = ids[start : start + SEND_BATCH]
                task, argument = (
                    (send_outbound, batch[0]) if len(batch) == 1 else (send_outbound_batch, batch)
                )
                # The rows are committed and pending, so nothing is lost: the sweeper queues
                # them again once the queue answers. The caller (a webhook, a form) goes on.
                left = f"{len(ids) - start} outbox rows left for the sweeper"
                if not _queued(task, argument, left=left):
                    return
    except Exception as exc:
        if huey.immediate:
            raise  # inline, a failing task is a bug to see (as in _queued)
        # The gathered tasks' one write failed: none of them reached the queue.
        log.warning(
            "queue unreachable (%s): %d outbox rows left for the sweeper",
            type(exc).__name__,
            len(ids),
        )


def _queued(task: Callable[..., object], *args: object, left: str) -> bool:
    """Put task(*args) on the queue; if the queue is unreachable, log what is left and say so.

    Inline (tests, CLI) the task itself runs, so a failure there is a bug to see: it is raised.
    """
    try:
        task(*args)
    except Exception as exc:
        if huey.immediate:
            raise
        log.warning("queue unreachable (%s): %s", type(exc).__name__, left)
        return False
    return True


_sender_limits: dict[int, object] = {}
DB_RETRY = 5  # seconds before a send that found the database down is tried again


def _sender_limit(per_second: int):
    # One counter in the queue's storage, so every worker process shares the sender's pace.
    if per_second not in _sender_limits:
        _sender_limits[per_second] = huey.rate_limit("sms-sender", per_second, 1)
    return _sender_limits[per_second]


def _status_callback(config) -> str:
    return config.PUBLIC_URL.rstrip("/") + "/twilio/sms/status?outbox_id={id}"


@huey.task()
def send_outbound(outbox_id: int) -> None:
    """Send one outbox row (all checks happen again at claim time)."""
    from service.outbox.sending import DatabaseUnreachable, send_one
    from service.twilio_gateway import app_transport

    app = task_app()
    config = app.config["FRONTLINE"]
    if config.SMS_SEND_RATE > 0:
        _sender_limit(config.SMS_SEND_RATE).acquire()  # over the pace: huey retries it later
    try:
        delay = send_one(
            get_database(app).session,
            outbox_id,
            config,
            app_transport(app),
            utcnow,
            _status_callback(config),
        )
    except DatabaseUnreachable:
        # Nothing was claimed (or the claim died with its connection): the row is still
        # pending. Try again shortly rather than wait for the sweeper's lease.
        log.warning("outbox %s: database unreachable, retrying in %ss", outbox_id, DB_RETRY)
        delay = DB_RETRY
    if delay:
        send_outbound.schedule((outbox_id,), delay=delay)


@huey.task()
def send_outbound_batch(outbox_ids: list[int]) -> None:
    """Send outbox rows one after another (each claimed with every check just before it goes)."""
    from huey.exceptions import RateLimitExceeded

    from service.outbox.sending import DatabaseUnreachable, send_batch
    from service.twilio_gateway import app_transport

    app = task_app()
    config = app.config["FRONTLINE"]

    def pace() -> float:
        if config.SMS_SEND_RATE <= 0:
            return 0.0
        try:
            _sender_limit(config.SMS_SEND_RATE).acquire()
        except RateLimitExceeded as exc:
            return max(exc.delay, 0.01)  # the rest wait for the next window
        return 0.0

    try:
        later = send_batch(
            get_database(app).session,
            outbox_ids,
            config,
            app_transport(app),
            utcnow,
            _status_callback(config),
            pace=pace,
        )
    except DatabaseUnreachable as exc:
        log.warning(
            "%d outbox rows: database unreachable, retrying in %ss", len(exc.remaining), DB_RETRY
        )
        later = dict.fromkeys(exc.remaining, float(DB_RETRY))
    # Rows that wait about as long (quiet hours, the pace's next window) go back as one task;
    # each is claimed with every check again then, so a second's rounding up changes nothing.
    by_delay: dict[float, list[int]] = {}
    for outbox_id, delay in later.items():
        by_delay.setdefault(math.ceil(delay) if delay >= 1 else delay, []).append(outbox_id)
    for delay, ids in by_delay.items():
        send_outbound_batch.schedule((ids,), delay=delay)


@huey.periodic_task(crontab(minute="*"))
def sweep_outbox() -> None:
    """Re-queue rows a crashed worker left in sending, or whose task was lost."""
    from service.outbox.sending import stuck_rows

    app = task_app()
    lease = dt.timedelta(seconds=app.config["FRONTLINE"].OUTBOX_LEASE_SECONDS)
    with get_database(app).session() as session:
        ids = stuck_rows(session, utcnow(), lease, queue_idle=not _sends_waiting())
    if ids:
        log.info("sweeper: %d outbox rows queued again", len(ids))
        queue_outbox(ids)


def _sends_waiting() -> bool:
    # Periodic jobs sit in the same queue; only waiting sends mean rows may still be queued.
    # A look at the head of the queue is enough: a busy queue has sends near the front.
    sends = (send_outbound.task_class, send_outbound_batch.task_class)
    return any(isinstance(t, sends) for t in huey.pending(limit=20))


@huey.on_startup()
def _sweep_at_start() -> None:
    # A restarted worker picks up what the last one left at once, not a minute later.
    sweep_outbox.call_local()


@huey.task(retries=5, retry_delay=900)
def delete_recordings(recording_sids: list[str]) -> None:
    """Delete at Twilio the voicemails whose rows were erased or purged (retried if it fails)."""
    from service.twilio_gateway import RecordingUnavailable, app_transport

    transport = app_transport(task_app())
    failed = 0
    for sid in recording_sids:
        try:
            transport.delete_recording(sid)
        except RecordingUnavailable:
            failed += 1
    if failed:
        # Raising makes huey try the whole list again; recordings already gone count as done.
        raise RecordingUnavailable(f"{failed} of {len(recording_sids)} recordings not deleted")


@huey.periodic_task(crontab(minute="*"))
def delete_erased_at_twilio() -> None:
    """Delete at Twilio the texts, calls and voicemails of erased numbers (retried until done)."""
    from service.privacy.twilio_erasure import erase_at_twilio
    from service.twilio_gateway import app_transport

    app = task_app()
    done = erase_at_twilio(get_database(app), app_transport(app), utcnow())
    if done:
        log.info("erasure at Twilio: %d records deleted", done)


# Deletions at Twilio wait for a call or a message to finish (error 20009), which can take
# from seconds to days: each task tries again, less and less often, until it is done.
def retry_delay(attempt: int) -> int:
    """Seconds before try number attempt + 1: a minute, doubling, then hourly."""
    return min(3600, 60 * 2 ** min(attempt, 6))


def _keep_recording(
    recording: tuple[str, str, str],
    *,
    wanted: Callable[[Session], bool],
    store: Callable[[Session, bytes, str], object],
    max_bytes: int,
    what: str,
    again: Callable[[], object],
) -> None:
    """Copy a recording (url, sid, call sid) in if wanted, then delete it and its call at Twilio.

    wanted(session) and store(session, audio, content type) are the owner's; again() queues
    the next try when Twilio is not finished with the recording or the call.
    """
    from service.twilio_gateway import NotDeleted, RecordingUnavailable, app_transport

    url, recording_sid, call_sid = recording
    app = task_app()
    transport = app_transport(app)
    database = get_database(app)
    try:
        with database.session() as session:
            copy = wanted(session)
        if copy:
            fetched = transport.fetch_recording(url)
            audio = bytearray()
            for chunk in fetched.chunks:
                audio += chunk
                if len(audio) > max_bytes:
                    break
            with database.session() as session:
                store(session, bytes(audio), fetched.content_type)
        # Only once the audio is ours: then nothing at Twilio ties it to the number.
        transport.delete_recording(recording_sid)
        transport.delete_call(call_sid)
    except (RecordingUnavailable, NotDeleted) as exc:
        # Not ready yet (the recording is still processing, the call still going on).
        log.info("%s: not finished at Twilio (%s), trying again later", what, exc)
        again()


def keep_speakup_recording_later(
    message_id: int, recording_url: str, recording_sid: str, call_sid: str
) -> None:
    """Queue the copy of a speak-up voice message; the caller's webhook carries on regardless."""
    # Never the SIDs in the log: they are what could lead back to the caller at Twilio.
    _queued(
        keep_speakup_recording,
        message_id,
        recording_url,
        recording_sid,
        call_sid,
        left="a recording waits at Twilio",
    )


@huey.task()
def keep_speakup_recording(
    message_id: int, recording_url: str, recording_sid: str, call_sid: str, attempt: int = 0
) -> None:
    """Copy a speak-up voice message into its case, then delete it and its call at Twilio."""
    from service.speakup import operations as speakup
    from service.speakup.models import SpeakUpMessage

    def wanted(session: Session) -> bool:
        message = session.get(SpeakUpMessage, message_id)
        return message is not None and message.audio_encrypted is None

    _keep_recording(
        (recording_url, recording_sid, call_sid),
        wanted=wanted,
        store=lambda session, audio, kind: speakup.store_audio(session, message_id, audio, kind),
        max_bytes=speakup.MAX_AUDIO_BYTES,
        what="a recording",
        again=lambda: keep_speakup_recording.schedule(
            (message_id, recording_url, recording_sid, call_sid, attempt + 1),
            delay=retry_delay(attempt),
        ),
    )


def keep_survey_recording_later(
    recording_id: str | None, recording_url: str, recording_sid: str, call_sid: str
) -> None:
    """Queue the copy of a survey's recorded answer (None: only its deletion at Twilio)."""
    # Never the SIDs: they are what could lead back to the caller at Twilio.
    _queued(
        keep_survey_recording,
        recording_id,
        recording_url,
        recording_sid,
        call_sid,
        left="a recording waits at Twilio",
    )


@huey.task()
def keep_survey_recording(
    recording_id: str | None,
    recording_url: str,
    recording_sid: str,
    call_sid: str,
    attempt: int = 0,
) -> None:
    """Copy a survey's recorded answer in, then delete it and its call's record at Twilio."""
    from service.surveys import recordings

    _keep_recording(
        (recording_url, recording_sid, call_sid),
        wanted=lambda session: (
            recording_id is not None and recordings.wants_audio(session, recording_id)
        ),
        store=lambda session, audio, kind: recordings.store_audio(
            session, recording_id or "", audio, kind
        ),
        max_bytes=recordings.MAX_AUDIO_BYTES,
        what="a survey recording",
        again=lambda: keep_survey_recording.schedule(
            (recording_id, recording_url, recording_sid, call_sid, attempt + 1),
            delay=retry_delay(attempt),
        ),
    )


def delete_messages_later(message_sids: list[str]) -> None:
    """Queue the deletion of message records at Twilio; never fails the caller's request."""
    _queued(delete_messages, message_sids, left="message records wait at Twilio")


@huey.task()
def delete_messages(message_sids: list[str], attempt: int = 0) -> None:
    """Delete message records at Twilio, trying again later for those not final yet."""
    from service.twilio_gateway import NotDeleted, app_transport

    transport = app_transport(task_app())
    left = []
    for sid in message_sids:
        try:
            transport.delete_message(sid)
        except NotDeleted:
            left.append(sid)
    if left:
        log.info("%d message records not deletable yet, trying again later", len(left))
        delete_messages.schedule((left, attempt + 1), delay=retry_delay(attempt))


@huey.periodic_task(crontab(minute="0"))
def purge_speakup_hourly() -> None:
    """Delete last hour's speak-up counters and receipts, and forget the salt they used."""
    from service.speakup.operations import purge_hourly
    from service.speakup.salt import forget_old_salts

    app = task_app()
    now = utcnow()
    with get_database(app).session() as session:
        purge_hourly(session, now)
    forget_old_salts(now)


@huey.periodic_task(crontab(minute="*"))
def close_due_surveys() -> None:
    """Close surveys past their closing date: their token keys are destroyed with them."""
    from service.surveys.operations import close_due

    app = task_app()
    with get_database(app).session() as session:
        closed = close_due(session, utcnow())
        session.commit()
    if closed:
        log.info("surveys: %d closed at their closing date", closed)


@huey.periodic_task(crontab(minute="23"))
def purge_expired() -> None:
    """Delete what has outlived its retention period: hourly, so each run is small."""
    from service.privacy.retention import purge

    app = task_app()
    counts = purge(get_database(app), app.config["FRONTLINE"], utcnow())
    log.info("purge: %s", ", ".join(f"{name} {n}" for name, n in counts.items()) or "nothing")


@huey.periodic_task(crontab(minute="*"))
def send_due_broadcasts() -> None:
    """Fan out scheduled broadcasts whose time has come, and resume any a worker left unfinished."""
    from service.broadcasts.operations import fan_out_due, unfinished_fan_outs

    app = task_app()
    with get_database(app).session() as session:
        fan_out_due(session, app.config["FRONTLINE"], utcnow())
        unfinished = unfinished_fan_outs(session)
    # A fan-out still running elsewhere is harmless to start again: batches take the
    # broadcast's row lock and move its cursor, so the two share the work without duplicates.
    queue_fan_out(unfinished)


def queue_fan_out(broadcast_ids: Iterable[int]) -> None:
    """Put broadcasts' fan-outs on the queue; if it is down, the periodic job resumes them."""
    for broadcast_id in broadcast_ids:
        if not _queued(fan_out_broadcast, broadcast_id, left="fan-out left for the sweeper"):
            return


@huey.task(retries=3, retry_delay=10)
def fan_out_broadcast(broadcast_id: int) -> None:
    """Write a broadcast's outbox rows, one transaction per batch, reporting progress as it goes."""
    from service.broadcasts import rounds
    from service.broadcasts.models import Broadcast
    from service.broadcasts.operations import Plans, fan_out_batch
    from service.pacing import Pacer

    app = task_app()
    config = app.config["FRONTLINE"]
    database = get_database(app)
    if rounds.side_by_side(database):
        written = rounds.run_rounds(
            database,
            broadcast_id,
            config,
            lambda done, total: log.info(
                "broadcast %d fan-out: %d of %d rows written", broadcast_id, done, total
            ),
        )
        log.info("broadcast %d fan-out finished: %d rows written", broadcast_id, written)
        return
    pacer = Pacer(config.FAN_OUT_SHARE, config.FAN_OUT_FLOOR_ROWS)
    kept: Plans = {}
    while True:
        pacer.start()
        with database.session() as session:
            # The row lock makes two workers on one broadcast take turns, batch by batch.
            broadcast = session.get(Broadcast, broadcast_id, with_for_update=True)
            if broadcast is None:
                return
            before = broadcast.fanned_out
            people = fan_out_batch(session, broadcast, config, utcnow(), plans=kept)
            written, total = broadcast.fanned_out, broadcast.recipients
        if not people:
            log.info("broadcast %d fan-out finished: %d rows written", broadcast_id, written)
            return
        log.info("broadcast %d fan-out: %d of %d rows written", broadcast_id, written, total)
        pacer.rest(written - before)


@huey.periodic_task(crontab(minute="*/5"))
def queue_event_reminders() -> None:
    """Queue reminders for occurrences people said they would go to."""
    from service.rsvps.reminders import queue_reminders

    app = task_app()
    with get_database(app).session() as session:
        queue_reminders(session, app.config["FRONTLINE"], utcnow())


# The hour (local) the guardians hear about new speak-up cases: once a day, see alerts.
SPEAKUP_ALERT_HOUR = 8


def _smtp_server(config):
    from urllib.parse import urlsplit

    from service.alerts.smtp import parse_smtp_url

    host = urlsplit(config.PUBLIC_URL).hostname or "localhost"
    return parse_smtp_url(config.SMTP_URL, default_sender_host=host)


@huey.periodic_task(crontab(minute="*"))
def alert_new_callbacks() -> None:
    """E-mail the people who handle new call-backs (nothing at all without FRONTLINE_SMTP_URL)."""
    from service.alerts.operations import callback_alerts, claim_callbacks

    app = task_app()
    config = app.config["FRONTLINE"]
    if not config.SMTP_URL:
        return
    with get_database(app).session() as session:
        alerts = callback_alerts(session, claim_callbacks(session, utcnow()), config.PUBLIC_URL)
    queue_alerts(alerts)


@huey.periodic_task(crontab(minute="0"))
def alert_new_speakup_cases() -> None:
    """Once a day, tell each guardian that new speak-up cases are waiting (never which)."""
    from service.alerts.operations import speakup_alerts

    app = task_app()
    config = app.config["FRONTLINE"]
    if not config.SMTP_URL or utcnow().astimezone(config.zone).hour != SPEAKUP_ALERT_HOUR:
        return
    with get_database(app).session() as session:
        alerts = speakup_alerts(session, config.PUBLIC_URL)
    queue_alerts(alerts)


def queue_alerts(alerts) -> None:
    """Put alert e-mails on the queue, one task each; a queue outage loses them (logged)."""
    for done, alert in enumerate(alerts):
        left = f"{len(alerts) - done} alert e-mails not sent"
        if not _queued(send_alert, alert.manager_id, alert.subject, alert.body, left=left):
            return


@huey.task(retries=5, retry_delay=60)
def send_alert(manager_id: int, subject: str, body: str) -> None:
    """Send one alert e-mail; a server that is down or refuses it is tried again, 5 times."""
    from service.alerts.smtp import build_message, send
    from service.managers.models import Manager

    app = task_app()
    config = app.config["FRONTLINE"]
    if not config.SMTP_URL:
        return
    server = _smtp_server(config)
    with get_database(app).session() as session:
        manager = session.get(Manager, manager_id)
        if manager is None or manager.disabled_at is not None:
            return
        address = manager.email
    send(server, build_message(server, address, subject, body))
    # The manager's id, never their address or the subject: logs stay free of who and what.
    log.info("alert e-mailed to manager %d", manager_id)
