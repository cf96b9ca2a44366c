"""POST /twilio/sms: check the signature, hand the text to the core, answer with TwiML."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, request
from twilio.twiml.messaging_response import MessagingResponse

from service import get_config
from service.contacts.phone import normalise_inbound
from service.db import get_session, utcnow
from service.errors import InvalidPhoneNumber, NotFound
from service.organisations.operations import organisation_for_number
from service.sms.operations import Inbound, handle_inbound
from service.twilio_gateway import signature_is_valid

bp = Blueprint("sms", __name__, url_prefix="/twilio")
log = logging.getLogger(__name__)
REQUIRED = ("MessageSid", "From", "To", "Body")


def twiml(texts: list[str]) -> Response:
    """A TwiML response with one <Message> per text (none: an empty <Response/>)."""
    response = MessagingResponse()
    for text in texts:
        response.message(text)
    return Response(str(response), mimetype="text/xml")


def _int(raw: str | None, *, default: int) -> int:
    return int(raw) if raw and raw.isdigit() else default


@bp.post("/sms")
def inbound_sms() -> Response:
    """Twilio's webhook for a text to one of the organisations' numbers."""
    config = get_config()
    if not signature_is_valid(request, config):
        log.warning("sms webhook refused: bad or missing signature")
        abort(403)
    missing = [name for name in REQUIRED if name not in request.form]
    if missing:
        abort(400, f"missing {', '.join(missing)}")
    try:
        sender = normalise_inbound(request.form["From"])
        to = normalise_inbound(request.form["To"])
    except InvalidPhoneNumber:
        abort(400, "From and To must be phone numbers")
    session = get_session()
    try:
        org = organisation_for_number(session, to)
    except NotFound:
        abort(404)
    outcome = handle_inbound(
        session,
        org,
        Inbound(
            message_sid=request.form["MessageSid"],
            sender=sender,
            body=request.form["Body"],
            segments=_int(request.form.get("NumSegments"), default=1),
        ),
        now=utcnow(),
        rate_limit=config.SMS_RATE_LIMIT,
        keep_bodies=config.SMS_KEEP_BODIES,
    )
    session.commit()
    return twiml(outcome.replies)
