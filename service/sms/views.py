"""POST /twilio/sms: check the signature, hand the text to the core, answer with TwiML."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, Response, abort, request, url_for
from sqlalchemy.orm import Session
from twilio.twiml.messaging_response import MessagingResponse

from service.config import get_config
from service.contacts.phone import normalise_inbound
from service.db import get_session, read_first, utcnow
from service.errors import InvalidPhoneNumber, NotFound
from service.organisations.models import Organisation
from service.organisations.operations import (
    OrganisationChanged,
    organisation_for_number,
    remembered_organisation,
)
from service.outage import unavailable_response
from service.sms.operations import READS_ONLY, Inbound, handle_inbound
from service.tasks import delete_messages_later
from service.twilio_gateway import signature_is_valid

bp = Blueprint("sms", __name__, url_prefix="/twilio")
log = logging.getLogger(__name__)
REQUIRED = ("MessageSid", "From", "To", "Body")
# A text's organisation found changed is read again once (twice changed at once: a 503).
ORGANISATION_ATTEMPTS = 2


def twiml(texts: list[str], *, status_callback: str | None = None) -> Response:
    """A TwiML response with one <Message> per text (none: an empty <Response/>)."""
    response = MessagingResponse()
    for text in texts:
        if status_callback:
            # <Message action> is where Twilio reports the reply's status (statusCallback is
            # its deprecated name).
            response.message(text, action=status_callback, method="POST")
        else:
            response.message(text)
    return Response(str(response), mimetype="text/xml")


# The TwiML of a reading command's replies (lists, support lines, HELP: what every member
# who asks is sent), kept per process by the texts. The same few answers go out again and
# again, and building the document cost more than a statement; nobody's own words are kept.
KEPT_TWIML = 256
_kept_twiml: dict[tuple[str, ...], bytes] = {}


def _reading_twiml(texts: list[str]) -> Response:
    key = tuple(texts)
    body = _kept_twiml.get(key)
    if body is None:
        if len(_kept_twiml) >= KEPT_TWIML:
            _kept_twiml.clear()  # content moved on: the current answers come back at once
        body = _kept_twiml[key] = twiml(texts).get_data()
    return Response(body, mimetype="text/xml")


# Statuses after which a reply's record can be deleted at Twilio (a "sent" one may still
# become "delivered": deletion is then refused and tried again later).
FINISHED = frozenset({"sent", "delivered", "undelivered", "failed"})


def _int(raw: str | None, *, default: int) -> int:
    return int(raw) if raw and raw.isdigit() else default


def _organisation(
    find: Callable[[Session, str], Organisation], session: Session, to: str
) -> Organisation:
    """The organisation that owns the number texted; 404 when none does."""
    try:
        return find(session, to)
    except NotFound:
        abort(404)


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
    # Reads first, then one short write lock (handle_inbound says which texts may).
    read_first(session)
    message = Inbound(
        message_sid=request.form["MessageSid"],
        sender=sender,
        body=request.form["Body"],
        to=to,
        segments=_int(request.form.get("NumSegments"), default=1),
    )
    # As this process last found it: the text's own lookup confirms it (no statement of its own).
    org = _organisation(remembered_organisation, session, to)
    for attempt in range(ORGANISATION_ATTEMPTS):
        try:
            outcome = handle_inbound(
                session,
                org,
                message,
                now=utcnow(),
                rate_limit=config.SMS_RATE_LIMIT,
                keep_bodies=config.SMS_KEEP_BODIES,
            )
            break
        except OrganisationChanged:
            # Moved to another organisation or edited since: nothing was written yet, but on
            # PostgreSQL the sender's row in the old organisation may be locked already
            # (lookup.lock_sender). Let go of it: the text is answered again for the
            # organisation as it is now, whose member is locked first in a fresh transaction.
            session.expunge(org)
            session.rollback()
            if attempt + 1 == ORGANISATION_ATTEMPTS:
                # Changed again while answered for its new self: no bug, so not a 500, but
                # no organisation to answer for either. Nothing is kept: the outage's answer.
                log.warning(
                    "sms %s: the number's organisation kept changing, 503", message.message_sid
                )
                return unavailable_response()
            read_first(session)  # SQLite: the next connection reads before its write lock too
            org = _organisation(organisation_for_number, session, to)
    session.commit()
    if outcome.command in READS_ONLY:
        return _reading_twiml(outcome.replies)
    if outcome.command != "speakup":
        return twiml(outcome.replies)
    # Answered: the text is deleted at Twilio now, each reply once Twilio has sent it, so
    # Twilio's log no longer ties the number to a speak-up conversation.
    delete_messages_later([request.form["MessageSid"]])
    return twiml(outcome.replies, status_callback=url_for("sms.reply_status"))


@bp.post("/sms/reply-status")
def reply_status() -> Response:
    """Twilio's status callback for a reply that must not stay at Twilio: delete it there."""
    if not signature_is_valid(request, get_config()):
        abort(403)
    sid = request.form.get("MessageSid", "")
    status = (request.form.get("MessageStatus") or request.form.get("SmsStatus") or "").lower()
    if not sid.startswith(("SM", "MM")) or not status:
        abort(400)
    if status in FINISHED:
        delete_messages_later([sid])
    return Response(status=204)
