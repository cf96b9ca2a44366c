"""POST /twilio/voice and its steps: signed webhooks in, TwiML from the flow engine out."""

from __future__ import annotations

import logging
from functools import cache

from flask import Blueprint, Response, abort, request, url_for
from sqlalchemy import select

from service import get_config
from service.callbacks.models import CallbackRequest
from service.contacts import operations as contacts
from service.contacts.phone import normalise_inbound
from service.content.models import Network
from service.db import get_session, utcnow
from service.errors import InvalidPhoneNumber, NotFound
from service.organisations.operations import organisation_for_number
from service.twilio_gateway import signature_is_valid
from service.voice.flows import Flow, load_all
from service.voice.line import CallState, Line, StateCodec
from service.voice.models import VoiceCall
from service.voice.prompts import PROMPTS

bp = Blueprint("voice", __name__, url_prefix="/twilio/voice")
log = logging.getLogger(__name__)


@cache
def main_flow() -> Flow:
    """The default line, loaded and checked once per process."""
    return load_all(PROMPTS)["main"]


def _checked() -> tuple:
    """Signature, required fields, organisation and caller; aborts with the right status."""
    config = get_config()
    if not signature_is_valid(request, config):
        abort(403)
    missing = [k for k in ("CallSid", "From", "To") if not request.form.get(k)]
    if missing:
        abort(400, f"missing {', '.join(missing)}")
    session = get_session()
    try:
        org = organisation_for_number(session, normalise_inbound(request.form["To"]))
        caller = normalise_inbound(request.form["From"])
    except NotFound:
        abort(404)
    except InvalidPhoneNumber:
        abort(400, "From and To must be phone numbers")
    return config, session, org, caller


def _line(config, session, org, contact) -> Line:
    codec = StateCodec(config.SECRET_KEY)

    def url_for_state(state: CallState) -> str:
        return url_for("voice.step", s=codec.dump(state))

    def recording_url(state: CallState) -> str:
        return url_for("voice.recording", s=codec.dump(state))

    return Line(
        session,
        org,
        main_flow(),
        config,
        call_sid=request.form["CallSid"],
        contact=contact,
        now=utcnow(),
        url_for_state=url_for_state,
        recording_url=recording_url,
    )


def _twiml(response) -> Response:
    return Response(str(response), mimetype="text/xml")


@bp.post("")
def incoming() -> Response:
    """A call starts: a returning caller goes straight to the menu in their language."""
    config, session, org, caller = _checked()
    contact, created = contacts.get_or_create_contact(session, org.id, caller)
    call = session.scalar(select(VoiceCall).where(VoiceCall.call_sid == request.form["CallSid"]))
    if call is None:
        session.add(
            VoiceCall(
                call_sid=request.form["CallSid"],
                organisation_id=org.id,
                contact_id=contact.id,
                language=contact.language,
            )
        )
    flow = main_flow()
    start = flow.node(flow.start)
    state = (
        CallState(node=flow.start)
        if created or start.next is None
        else CallState(node=start.next, lang=contact.language)
    )
    response = _line(config, session, org, contact).enter(state)
    session.commit()
    return _twiml(response)


@bp.post("/step")
def step() -> Response:
    """The caller pressed a key, spoke, or said nothing at a menu."""
    config, session, org, caller = _checked()
    state = StateCodec(config.SECRET_KEY).load(request.args.get("s", ""))
    if state is None or state.node not in main_flow().nodes:
        abort(400, "unknown call state")
    contact, _created = contacts.get_or_create_contact(session, org.id, caller)
    line = _line(config, session, org, contact)
    digits = request.form.get("Digits", "")
    if request.args.get("choose"):
        response = line.choose_language(state, digits)
    elif request.args.get("recorded"):
        response = line.after_recording(state)
    else:
        response = line.answer(
            state,
            digits,
            request.form.get("SpeechResult", ""),
            noinput=bool(request.args.get("noinput")),
        )
    session.commit()
    return _twiml(response)


def _logged_call() -> VoiceCall | None:
    """The call a signed callback is about (callbacks carry no caller number to go by)."""
    if not signature_is_valid(request, get_config()):
        abort(403)
    return get_session().scalar(
        select(VoiceCall).where(VoiceCall.call_sid == request.form.get("CallSid", ""))
    )


@bp.post("/recording")
def recording() -> Response:
    """Twilio's recording callback: the voicemail becomes a callback request, once."""
    call = _logged_call()
    if call is None:
        abort(404)
    session = get_session()
    sid = request.form.get("RecordingSid", "")
    if not sid or request.form.get("RecordingStatus", "completed") != "completed":
        return Response(status=204)
    if session.scalar(select(CallbackRequest.id).where(CallbackRequest.recording_sid == sid)):
        return Response(status=204)  # a retried callback: stored already
    if call.contact_id is None:
        return Response(status=204)  # the caller has since been erased
    # Left from a group's menu, the message is for that group's organisers.
    state = StateCodec(get_config().SECRET_KEY).load(request.args.get("s", ""))
    network_id = state.item if state is not None and isinstance(state.item, int) else None
    if (
        network_id is not None
        and session.scalar(
            select(Network.id).where(
                Network.id == network_id, Network.organisation_id == call.organisation_id
            )
        )
        is None
    ):
        network_id = None
    duration = request.form.get("RecordingDuration", "")
    session.add(
        CallbackRequest(
            organisation_id=call.organisation_id,
            contact_id=call.contact_id,
            network_id=network_id,
            channel="voice",
            call_sid=call.call_sid,
            recording_sid=sid,
            recording_url=request.form.get("RecordingUrl"),
            recording_seconds=int(duration) if duration.isdigit() else None,
        )
    )
    session.commit()
    return Response(status=204)


@bp.post("/status")
def status() -> Response:
    """Twilio's call status callback: kept on the call's row, never a number or recording."""
    call = _logged_call()
    session = get_session()
    if call is None:
        return Response(status=204)
    call.status = request.form.get("CallStatus", call.status)[:20]
    duration = request.form.get("CallDuration", "")
    if duration.isdigit():
        call.duration_seconds = int(duration)
    session.commit()
    return Response(status=204)
