"""/dev/phone: a handset in the browser that texts the service through the real webhook."""

from __future__ import annotations

import secrets

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from sqlalchemy import select

from service.contacts.models import Contact
from service.contacts.phone import display, normalise
from service.db import get_database, get_session
from service.devtools.simulator import call_form, send_text, voice_step
from service.errors import InvalidPhoneNumber
from service.organisations.models import OrganisationNumber
from service.outbox.models import OutboundMessage

bp = Blueprint("devtools", __name__, url_prefix="/dev")


@bp.get("/phone")
def phone() -> str:
    """The simulator page."""
    numbers = (
        get_session().scalars(select(OrganisationNumber.e164).order_by(OrganisationNumber.id)).all()
    )
    get_session().close()
    return render_template("devtools/phone.html", numbers=[(n, display(n)) for n in numbers])


@bp.get("/phone/inbox")
def phone_inbox():
    """Texts the service sent to a number (the dev transport's log), newer than `after`."""
    try:
        number = normalise(request.args.get("number", ""))
    except InvalidPhoneNumber as exc:
        return jsonify(error=exc.message), 400
    after = request.args.get("after", "0")
    session = get_session()
    indexes = get_database().vault.blind_indexes(number)
    rows = session.scalars(
        select(OutboundMessage)
        .join(Contact, Contact.id == OutboundMessage.contact_id)
        .where(
            Contact.phone_index.in_(indexes),
            OutboundMessage.status.in_(("sent", "delivered")),
            OutboundMessage.id > (int(after) if after.isdigit() else 0),
        )
        .order_by(OutboundMessage.id)
    ).all()
    vault = get_database().vault
    return jsonify(messages=[{"id": r.id, "body": vault.decrypt(r.body_encrypted)} for r in rows])


@bp.post("/phone/call")
def phone_call():
    """One step of a simulated call: start it, press keys, speak, or stay silent."""
    data = request.get_json(silent=True) or {}
    try:
        sender = normalise(str(data.get("from", "")))
    except InvalidPhoneNumber as exc:
        return jsonify(error=exc.message), 400
    path = str(data.get("url") or url_for("voice.incoming"))
    if not path.startswith("/twilio/voice"):
        return jsonify(error="not a voice webhook"), 400
    extra = {}
    if data.get("digits"):
        extra["Digits"] = str(data["digits"])[:1]
    if data.get("speech"):
        extra["SpeechResult"], extra["Confidence"] = str(data["speech"])[:200], "0.9"
    call_sid = str(data.get("call_sid") or "CA" + secrets.token_hex(16))
    form = call_form(sender, str(data.get("to", "")), call_sid, **extra)
    step = voice_step(current_app._get_current_object(), path, form)  # type: ignore[attr-defined]
    return jsonify(call_sid=call_sid, **step)


@bp.post("/phone/sms")
def phone_sms():
    """Send one text from the simulated handset; the replies come back as JSON."""
    data = request.get_json(silent=True) or {}
    try:
        sender = normalise(str(data.get("from", "")))
    except InvalidPhoneNumber as exc:
        return jsonify(error=exc.message), 400
    reply = send_text(
        current_app._get_current_object(),  # type: ignore[attr-defined]
        sender,
        str(data.get("to", "")),
        str(data.get("body", ""))[:1600],
    )
    return jsonify(status=reply.status, replies=reply.texts)
