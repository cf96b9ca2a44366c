"""POST /twilio/sms/status: Twilio's delivery reports, applied so a status never goes backwards."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, request

from service.config import get_config
from service.db import get_session, utcnow
from service.outbox.operations import record_status
from service.twilio_gateway import signature_is_valid

bp = Blueprint("outbox", __name__, url_prefix="/twilio")
log = logging.getLogger(__name__)


@bp.post("/sms/status")
def sms_status() -> Response:
    """A status callback for one outbox row (its id is in the URL we gave Twilio)."""
    if not signature_is_valid(request, get_config()):
        abort(403)
    outbox_id = request.args.get("outbox_id", "")
    sid = request.form.get("MessageSid", "")
    status = request.form.get("MessageStatus") or request.form.get("SmsStatus") or ""
    if not outbox_id.isdigit() or not sid or not status:
        abort(400)
    error = request.form.get("ErrorCode", "")
    session = get_session()
    changed = record_status(
        session,
        int(outbox_id),
        message_sid=sid,
        status=status.lower(),
        error_code=int(error) if error.isdigit() else None,
        now=utcnow(),
    )
    session.commit()
    log.debug("status for outbox %s: %s (%s)", outbox_id, status, "applied" if changed else "kept")
    return Response(status=204)
