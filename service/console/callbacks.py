"""/console/callbacks: the call-back queue, voicemails, number reveals and bridged calls."""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm

from service import languages
from service.audit import operations as audit
from service.callbacks import operations as callbacks
from service.callbacks.models import CallbackRequest
from service.config import get_config
from service.console import auth
from service.console.callback_forms import (
    OUTCOME_LABELS,
    CallbackActionForm,
    NotesForm,
    OutcomeForm,
    RingPhoneForm,
)
from service.contacts.phone import NotCallable, RegionNotServed, display, masked, regions
from service.db import get_session, utcnow
from service.errors import InvalidPhoneNumber, NotFound
from service.formatting import when
from service.routes import Routes
from service.twilio_gateway import RecordingUnavailable, SendError, app_transport

routes = Routes()

# How a member asked, in the console's words.
CHANNELS = {"sms": "Text message", "voice": "Phone line", "kiosk": "Kiosk"}
GOOD_TIMES = {
    "morning": "Morning",
    "afternoon": "Afternoon",
    "evening": "Evening",
    "any": "Any time",
}


def _local(moment: dt.datetime) -> str:
    # The console is English whatever the browser prefers, in the organisation's time zone.
    return when(moment.astimezone(get_config().zone), "en", style="EEE d MMM, HH:mm")


def _page(status: int = 200, *, revealed: dict[int, str] | None = None, ring_form=None):
    """The queue page, optionally with one row's number shown (after an audited reveal)."""
    manager = auth.manager()
    session = get_session()
    ring = callbacks.ring_phone(session, manager)
    html = render_template(
        "console/callbacks.html",
        queue=callbacks.queue_for(session, manager, utcnow()),
        action=CallbackActionForm(),
        ring_form=ring_form or RingPhoneForm(),
        ring_masked=masked(ring) if ring else None,
        revealed=revealed or {},
        channels=CHANNELS,
        good_times=GOOD_TIMES,
        outcomes=OUTCOME_LABELS,
        languages=languages.BY_CODE,
        alerts_on=bool(get_config().SMTP_URL),
        local=_local,
    )
    return html, status


def _request(callback_id: int) -> CallbackRequest:
    """The request, checked against the manager's roles on every action."""
    try:
        return callbacks.request_for(get_session(), auth.manager(), callback_id)
    except NotFound:
        abort(404)
    except callbacks.NotAllowed:
        abort(403)


def _audit(row: CallbackRequest, action: str, **detail: object) -> None:
    # In the caller's transaction: the entry stands or falls with what it records.
    manager = auth.manager()
    audit.record(get_session(), row.organisation_id, manager.id, action, callback=row.id, **detail)


def _bridge_url(token: str) -> str:
    # Absolute, on the public address Twilio reaches (and signs): the same base as public_url().
    return get_config().PUBLIC_URL.rstrip("/") + url_for("voice.bridge", t=token)


def _posted_request(callback_id: int, form: FlaskForm | None = None) -> CallbackRequest:
    # CSRFProtect has checked the token already; a form that still does not validate is refused.
    if not (form if form is not None else CallbackActionForm()).validate_on_submit():
        abort(400)
    return _request(callback_id)


@routes.get("/callbacks", endpoint="callbacks")
@auth.requires("callbacks.handle")
def callbacks_queue():
    """Open requests per network, oldest first, and those done in the last 30 days."""
    return _page()


@routes.post("/callbacks/<int:callback_id>/reveal")
@auth.requires("callbacks.handle")
def callbacks_reveal(callback_id: int):
    """Show one member's full number, once, and record who saw it."""
    row = _posted_request(callback_id)
    session = get_session()
    number = callbacks.number_of(session, row)
    _audit(row, "number.reveal")
    session.commit()
    return _page(revealed={row.id: display(number)})


@routes.post("/callbacks/<int:callback_id>/done")
@auth.requires("callbacks.handle")
def callbacks_done(callback_id: int):
    """Mark a request done (again is harmless: nothing changes, nothing is logged twice)."""
    row = _posted_request(callback_id)
    session = get_session()
    manager = auth.manager()
    if callbacks.close_request(session, manager, row, utcnow()):
        _audit(row, "callback.done")
        flash("Marked done.", "success")
    else:
        flash("That request was already done.")
    session.commit()
    return redirect(url_for("console.callbacks"))


@routes.post("/callbacks/<int:callback_id>/outcome")
@auth.requires("callbacks.handle")
def callbacks_outcome(callback_id: int):
    """Record how a call went; reached, wrong number or not needed also mark it done."""
    form = OutcomeForm()
    row = _posted_request(callback_id, form)
    session = get_session()
    manager = auth.manager()
    try:
        closed = callbacks.record_outcome(session, manager, row, form.outcome.data, utcnow())
    except callbacks.NotOpen:
        flash("That request is done already.")
        return redirect(url_for("console.callbacks"))
    _audit(row, "callback.outcome", outcome=row.outcome)
    session.commit()
    label = OUTCOME_LABELS[form.outcome.data]
    then = " Marked done." if closed else " It stays in the queue."
    flash(f"Saved: {label}.{then}", "success")
    return redirect(url_for("console.callbacks"))


@routes.post("/callbacks/<int:callback_id>/notes")
@auth.requires("callbacks.handle")
def callbacks_notes(callback_id: int):
    """Keep the handler's notes on a request (encrypted; never in the audit log)."""
    form = NotesForm()
    row = _posted_request(callback_id, form)
    session = get_session()
    callbacks.set_notes(session, row, form.notes.data)
    _audit(row, "callback.notes")
    session.commit()
    flash("Notes saved.", "success")
    return redirect(url_for("console.callbacks") + f"#request-{row.id}")


@routes.post("/callbacks/<int:callback_id>/undo")
@auth.requires("callbacks.handle")
def callbacks_undo(callback_id: int):
    """Take back "done" and the outcome: the request waits in the queue again."""
    row = _posted_request(callback_id)
    session = get_session()
    if callbacks.undo(session, row):
        _audit(row, "callback.undo")
        flash("Undone: the request is waiting again.", "success")
    else:
        flash("There was nothing to undo.")
    session.commit()
    return redirect(url_for("console.callbacks"))


@routes.post("/callbacks/<int:callback_id>/call")
@auth.requires("callbacks.handle")
def callbacks_call(callback_id: int):
    """Ring the lead's phone; when they answer, Twilio connects them to the member."""
    row = _posted_request(callback_id)
    session = get_session()
    manager = auth.manager()
    config = get_config()
    try:
        sid = callbacks.place_callback(
            session,
            manager,
            row,
            app_transport(current_app),
            answer_url=_bridge_url,
            secret=config.SECRET_KEY,
            now=utcnow(),
        )
    except callbacks.NoRingPhone:
        flash("First tell us which phone to ring: we call you, then connect you to the member.")
        return _page(400)
    except callbacks.NotOpen:
        flash("That request is done already.")
        return redirect(url_for("console.callbacks"))
    except callbacks.NoVoiceNumber:
        flash("The organisation has no phone number that can make calls. Ask an admin.")
        return _page(409)
    except SendError:
        session.rollback()
        flash("Twilio did not place the call. Please try again in a minute.")
        return _page(502)
    _audit(row, "callback.call", attempt=row.attempts, call_sid=sid)
    session.commit()
    flash(
        "We are ringing your phone now. Answer it and we connect you to the member; "
        "they see the organisation's number, not yours.",
        "success",
    )
    return redirect(url_for("console.callbacks"))


@routes.get("/callbacks/<int:callback_id>/recording")
@auth.requires("callbacks.handle")
def callbacks_recording(callback_id: int):
    """Stream a voicemail from Twilio to the lead's browser, and record that it was played."""
    row = _request(callback_id)
    if not row.recording_url:
        abort(404)
    try:
        recording = app_transport(current_app).fetch_recording(row.recording_url)
    except RecordingUnavailable:
        abort(502, "The recording could not be fetched from Twilio.")
    _audit(row, "recording.play")
    get_session().commit()
    headers = {"Content-Length": str(recording.length)} if recording.length else {}
    return Response(recording.chunks, mimetype=recording.content_type, headers=headers)


@routes.post("/callbacks/phone")
@auth.requires("callbacks.handle")
def callbacks_phone():
    """Set the phone the service rings first for this manager's call-backs."""
    form = RingPhoneForm()
    if not form.validate_on_submit():
        return _page(400, ring_form=form)
    session = get_session()
    manager = auth.manager()
    try:
        e164 = callbacks.set_ring_phone(
            session, manager, form.phone.data, regions=regions(get_config().ALLOWED_REGIONS)
        )
    except RegionNotServed:
        form.phone.errors = [
            *form.phone.errors,
            "We only ring numbers in the organisation's own country (not the Channel Islands "
            "or the Isle of Man). Give a UK mobile or landline.",
        ]
        return _page(400, ring_form=form)
    except NotCallable:
        form.phone.errors = [
            *form.phone.errors,
            "We cannot ring premium, shared-cost or personal (070) numbers. Give a mobile or "
            "an ordinary landline.",
        ]
        return _page(400, ring_form=form)
    except InvalidPhoneNumber:
        form.phone.errors = [
            *form.phone.errors,
            "That is not a number we can ring. Type it as you would dial it (07… or +44…).",
        ]
        return _page(400, ring_form=form)
    audit.record(session, manager.organisation_id, manager.id, "manager.ring_phone")
    session.commit()
    flash(f"Saved. For call-backs we ring {masked(e164)} first.", "success")
    return redirect(url_for("console.callbacks"))
