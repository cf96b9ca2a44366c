"""POST /twilio/voice and its steps: signed webhooks in, TwiML from the flow engine out."""

from __future__ import annotations

import logging
from collections.abc import Hashable
from functools import cache

from flask import Blueprint, Response, abort, current_app, request, url_for
from sqlalchemy import select
from twilio.twiml.voice_response import Gather, VoiceResponse

from service.callbacks import operations as callbacks
from service.callbacks.models import CallbackRequest
from service.config import get_config
from service.contacts.models import Contact
from service.contacts.phone import normalise_inbound
from service.content.models import Network
from service.db import begin_writes, get_session, read_first, utcnow
from service.errors import DomainError, InvalidPhoneNumber, NotFound
from service.organisations.operations import organisation_for_number
from service.privacy.recordings import delete_after_commit
from service.reach.operations import count_reach
from service.tasks import keep_speakup_recording_later, keep_survey_recording_later
from service.twilio_gateway import signature_is_valid
from service.voice.facts import CallFacts, StepFacts, read_step_facts
from service.voice.flows import Flow, load_all
from service.voice.line import UNKNOWN, CallState, Line, StateCodec, known_from_facts
from service.voice.memo import memo_of
from service.voice.models import VoiceCall
from service.voice.prompts import PROMPTS
from service.voice.speaking import voices
from service.voice.speakup import ConcernAnswer
from service.voice.twiml import render

bp = Blueprint("voice", __name__, url_prefix="/twilio/voice")
log = logging.getLogger(__name__)


@cache
def main_flow() -> Flow:
    """The default line, loaded and checked once per process."""
    return load_all(PROMPTS)["main"]


@cache
def _codec(secret: str) -> StateCodec:
    """The call-state codec for a secret, built once per process (its serializer is reusable)."""
    return StateCodec(secret)


def _checked(*, reads_first: bool = False) -> tuple:
    """Signature, required fields, organisation and caller; aborts with the right status.

    reads_first: the session takes SQLite's write lock only when the step writes (an action
    outside engine.READS_ONLY_ACTIONS, or db.begin_writes), not at its first read.
    """
    config = _signed_call()
    session = get_session()
    if reads_first:
        read_first(session)
    org = _organisation(session, _called())
    return config, session, org, _caller()


def _signed_call():
    """The configuration, once the signature and a call's fields are checked (else abort)."""
    config = get_config()
    if not signature_is_valid(request, config):
        abort(403)
    form = request.form
    missing = [k for k in ("CallSid", "From", "To") if not form.get(k)]
    if missing:
        abort(400, f"missing {', '.join(missing)}")
    return config


def _called() -> str:
    try:
        return normalise_inbound(request.form["To"])
    except InvalidPhoneNumber:
        abort(400, "From and To must be phone numbers")


def _caller() -> str:
    try:
        return normalise_inbound(request.form["From"])
    except InvalidPhoneNumber:
        abort(400, "From and To must be phone numbers")


def _organisation(session, called: str):
    try:
        return organisation_for_number(session, called)
    except NotFound:
        abort(404)


def _line(config, session, org, caller: str, *, now=None, facts: CallFacts | None = None) -> Line:
    codec = _codec(config.SECRET_KEY)

    def url_for_state(state: CallState) -> str:
        return url_for("voice.step", s=codec.dump(state))

    def recording_url(state: CallState) -> str:
        return url_for("voice.recording", s=codec.dump(state))

    def url_for_concern(state: CallState) -> str:
        return url_for("voice.concern", s=codec.dump(state))

    def url_for_survey_recording(state: CallState) -> str:
        return url_for("voice.survey_recording", s=codec.dump(state))

    return Line(
        session,
        org,
        main_flow(),
        config,
        call_sid=request.form["CallSid"],
        caller=caller,
        now=now or utcnow(),
        url_for_state=url_for_state,
        recording_url=recording_url,
        url_for_concern=url_for_concern,
        url_for_survey_recording=url_for_survey_recording,
        facts=facts,
    )


class _Step:
    """A step's answer from the memo where it may have one, else the Line that works it out.

    A memoable step (a key or silence at a menu, the call's start) asks the memo after only
    read_step_facts' one read on the driver: no session, no entity. The session, the
    organisation's row and the Line are made only when the memo has no answer, or when a
    dependency turns on who is calling (a code was proved on the call). Any other step is
    worked out by the Line as before, its facts read by the Line when it needs them.
    """

    def __init__(self, key: tuple, *, memoable: bool) -> None:
        self.config, self.key, self.now = _signed_call(), key, utcnow()
        self.called, self.memo = _called(), memo_of(current_app)
        self._line: Line | None = None
        self.found: StepFacts | None = None
        if memoable:
            self.found = read_step_facts(self.called, request.form["CallSid"])
            if self.found is None:
                abort(404)
            self.caller = _caller()
        else:
            self.line()  # the organisation (404), then the caller (400), as every step did

    def kept(self) -> bytes | None:
        """The memo's answer to this request, as the Line would give it now; else None."""
        found = self.found
        assert found is not None, "asked of a memoable step only"
        return self.memo.lookup(
            found.organisation_id, found.content_version, self.key, self._dependency
        )

    def _dependency(self, name: Hashable) -> Hashable:
        assert self.found is not None
        value = known_from_facts(name, self.found.facts, self.now)
        return self.line().dependency(name) if value is UNKNOWN else value

    def line(self) -> Line:
        """The Line for this request, on the request's session (read-first)."""
        if self._line is None:
            session = get_session()
            read_first(session)
            org = _organisation(session, self.called)
            if self.found is None:
                self.caller = _caller()
            # The facts the memo was asked with, as the Line would have read them itself.
            found = self.found
            facts = found.facts if found and found.organisation_id == org.id else None
            self._line = _line(self.config, session, org, self.caller, now=self.now, facts=facts)
        return self._line

    def answer(self, response: VoiceResponse, *, memoable: bool) -> Response:
        """Commit the Line's work and answer; keep the answer when it may be reused."""
        line = self.line()
        line.session.commit()
        body = render(response).encode()
        if memoable and line.memoable:
            org = line.org
            self.memo.keep(org.id, org.content_version, self.key, line.depends, body)
        return Response(body, mimetype="text/xml")


def _twiml(response: VoiceResponse) -> Response:
    return Response(render(response), mimetype="text/xml")


@bp.post("")
def incoming() -> Response:
    """A call starts: every caller chooses a language, as a stranger would.

    Caller ID can be spoofed: skipping the menu for a number we know, or in its stored language,
    would tell whoever uses that number that its owner has talked to us. Nothing is written
    here either, neither a contact nor the call's row: only the branches that need them make
    them (LineBase.caller_contact), so a caller who only listens or speaks up leaves neither.
    """
    # The same welcome and language menu for every caller: kept as a menu step is (memo.py).
    call = _Step(("start", request.script_root), memoable=True)
    kept = call.kept()
    if kept is not None:
        return Response(kept, mimetype="text/xml")
    return call.answer(call.line().start_call(), memoable=True)


@bp.post("/step")
def step() -> Response:
    """The caller pressed a key, spoke, or said nothing at a menu."""
    args, token = request.args, request.args.get("s", "")
    digits, speech = request.form.get("Digits", ""), request.form.get("SpeechResult", "")
    noinput = bool(args.get("noinput"))
    # A key or silence at a menu may be answered as the same step was before (service.voice.
    # memo). Speech never is: it may be words of crisis, which are heard afresh every time.
    at_menu = not speech and not any(args.get(k) for k in ("code", "choose", "survey", "recorded"))
    call = _Step((request.script_root, token, digits, noinput), memoable=at_menu)
    if at_menu:
        kept = call.kept()
        if kept is not None:
            # Nothing to commit: a kept step only read (its actions are all READS_ONLY_ACTIONS).
            return Response(kept, mimetype="text/xml")
    state = _codec(call.config.SECRET_KEY).load(token)
    if state is None or state.node not in main_flow().nodes:
        abort(400, "unknown call state")
    line = call.line()
    if args.get("code") or args.get("survey") or args.get("recorded"):
        # A code keyed in, a survey answer, a message left: these write, under the lock.
        begin_writes(line.session)
    if args.get("code"):
        response = line.enter_code(state, digits, noinput=noinput)
    elif args.get("choose"):
        response = line.choose_language(state, digits, speech, noinput=noinput)
    elif args.get("survey"):
        response = line.answer_survey(state, digits, speech, noinput=noinput)
    elif args.get("recorded"):
        response = line.after_recording(state)
    else:
        response = line.answer(state, digits, speech, noinput=noinput)
    return call.answer(response, memoable=at_menu)


@bp.post("/speakup")
def concern() -> Response:
    """A speak-up concern was recorded: open its case and read the code out, anonymously."""
    config, session, org, caller = _checked()
    flow, codec = main_flow(), _codec(config.SECRET_KEY)
    state = codec.load(request.args.get("s", ""))
    if state is None or state.node not in flow.nodes:
        abort(400, "unknown call state")
    node = flow.node(state.node)
    if node.action != "record_concern":
        abort(400, "not a speak-up recording")
    sid, url = request.form.get("RecordingSid", ""), request.form.get("RecordingUrl", "")
    if not sid or not url or len(url) > 500:
        # Twilio sends both for any recording it kept; without them there is nothing to hear,
        # so the caller is told so and hears the explanation again.
        again = CallState(node=node.back or flow.start, lang=state.lang, tries=1)
        response = VoiceResponse()
        response.redirect(url_for("voice.step", s=codec.dump(again)) + "&noinput=1", method="POST")
        return _twiml(response)
    # Deliberately no contact and no VoiceCall here, and nothing logged: the case must not be
    # findable from the caller or the call. The number is passed only for the salted throttle.
    answer = ConcernAnswer(session, org, flow, config, now=utcnow())
    response = answer.answer(state, recording_sid=sid, sender=caller)
    session.commit()
    if answer.message_id is not None or answer.refused:
        # The SIDs and URL ride in the queue only, until the audio is copied (when a case was
        # raised) and both the recording and the call record are deleted at Twilio.
        keep_speakup_recording_later(answer.message_id or 0, url, sid, request.form["CallSid"])
    return _twiml(response)


@bp.post("/survey-recording")
def survey_recording() -> Response:
    """A survey's free-text answer was recorded: an anonymous answer, its audio copied later.

    The answer keeps only a random recording id. The SIDs and URL ride in the queue alone, to
    the task that copies the audio and then deletes the recording and the call's record at
    Twilio; nothing here is logged.
    """
    config, session, org, caller = _checked()
    state = _codec(config.SECRET_KEY).load(request.args.get("s", ""))
    if state is None or state.node not in main_flow().nodes:
        abort(400, "unknown call state")
    if main_flow().node(state.node).action != "ask_survey_question":
        abort(400, "not a survey's question")
    line = _line(config, session, org, caller)
    sid, url = request.form.get("RecordingSid", ""), request.form.get("RecordingUrl", "")
    if not sid or not url or len(url) > 500:
        # Nothing was kept to hear: the question is asked again.
        response = line.answer_survey(state, "", "", noinput=True)
        session.commit()
        return _twiml(response)
    recorded = line.answer_recorded(state, recording_sid=sid)
    session.commit()
    if recorded.recording_id is not None or recorded.delete:
        keep_survey_recording_later(recorded.recording_id, url, sid, request.form["CallSid"])
    return _twiml(recorded.response)


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
    if call.contact_id is None:
        # The caller was erased while the call went on: their voicemail goes too, at Twilio.
        if sid:
            delete_after_commit(session, [sid])
            session.commit()
        return Response(status=204)
    if not sid or request.form.get("RecordingStatus", "completed") != "completed":
        return Response(status=204)
    if session.scalar(select(CallbackRequest.id).where(CallbackRequest.recording_sid == sid)):
        return Response(status=204)  # a retried callback: stored already
    # Left from a group's menu, the message is for that group's organisers.
    state = _codec(get_config().SECRET_KEY).load(request.args.get("s", ""))
    item = state.item if state is not None else None
    # (group or None, good time) after "when is a good time"; a bare group id before it.
    network_id, good_time = item if isinstance(item, tuple) and len(item) == 2 else (item, "any")
    network_id = network_id if isinstance(network_id, int) else None
    good_time = good_time if good_time in callbacks.GOOD_TIMES else "any"
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
            site_id=session.get_one(Contact, call.contact_id).site_id,
            language=state.lang if state is not None else "en",
            good_time=good_time,
            call_sid=call.call_sid,
            recording_sid=sid,
            recording_url=request.form.get("RecordingUrl"),
            recording_seconds=int(duration) if duration.isdigit() else None,
        )
    )
    # A voicemail is a call-back request like CALL ME, so it counts as one (once: see above).
    count_reach(
        session,
        call.organisation_id,
        measure="callback",
        channel="voice",
        network_id=network_id,
        site_id=session.get_one(Contact, call.contact_id).site_id,
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


# -- a lead's bridged call-back -------------------------------------------------------------------
# The console asked Twilio to ring the lead's own phone; these answer that call. The member's
# number appears only in the <Dial> below, which goes to Twilio and nowhere else.


def _say(response: VoiceResponse | Gather, text: str) -> None:
    english = voices()["en"]
    response.say(text, voice=english["voice"], language=english["language"])


def _goodbye(text: str, status: int = 200) -> Response:
    response = VoiceResponse()
    _say(response, text)
    response.hangup()
    return Response(render(response), status=status, mimetype="text/xml")


def _open_request(config, token: str) -> CallbackRequest | Response:
    """The request a bridge token names, if still open; else the TwiML that ends the call."""
    callback_id = callbacks.bridge_callback_id(config.SECRET_KEY, token)
    if callback_id is None:
        return _goodbye(
            "Sorry, this call-back has expired. Please try again from the console.", 400
        )
    row = get_session().get(CallbackRequest, callback_id)
    if row is None or row.status != callbacks.OPEN:
        return _goodbye("This request has been closed in the console. Nobody to connect. Goodbye.")
    return row


@bp.post("/bridge")
def bridge() -> Response:
    """The lead's phone answered: say who is waiting and ask for 1 before dialling anyone.

    Asking for a key screens out the lead's voicemail, which would otherwise answer and have
    the member dialled into a recording.
    """
    config = get_config()
    if not signature_is_valid(request, config):
        abort(403)
    token = request.args.get("t", "")
    row = _open_request(config, token)
    if isinstance(row, Response):
        return row
    network = get_session().get(Network, row.network_id) if row.network_id else None
    about = f" about {network.name}" if network else ""
    response = VoiceResponse()
    gather = response.gather(
        num_digits=1, timeout=8, action=url_for("voice.bridge_connect", t=token)
    )
    _say(gather, f"A member asked for a call back{about}. Press 1 to connect them now.")
    _say(response, "No key was pressed. The request stays open in the console. Goodbye.")
    response.hangup()
    return _twiml(response)


@bp.post("/bridge/connect")
def bridge_connect() -> Response:
    """The lead pressed a key: on 1, dial the member from the organisation's number."""
    config = get_config()
    if not signature_is_valid(request, config):
        abort(403)
    row = _open_request(config, request.args.get("t", ""))
    if isinstance(row, Response):
        return row
    if request.form.get("Digits") != "1":
        return _goodbye("Not connecting. The request stays open in the console. Goodbye.")
    session = get_session()
    try:
        caller_id = callbacks.voice_number(session, row.organisation_id)
    except DomainError:
        return _goodbye("Sorry, the service has no number to call from. Goodbye.")
    response = VoiceResponse()
    _say(response, "Connecting you now.")
    # The member sees the organisation's number; the lead is heard but never shown.
    dial = response.dial(caller_id=caller_id, action=url_for("voice.bridge_ended"), timeout=30)
    dial.number(callbacks.number_of(session, row))
    return _twiml(response)


@bp.post("/bridge/ended")
def bridge_ended() -> Response:
    """The <Dial> finished: tell the lead when the member did not pick up."""
    if not signature_is_valid(request, get_config()):
        abort(403)
    if request.form.get("DialCallStatus") in {"busy", "no-answer", "failed", "canceled"}:
        return _goodbye("The member did not answer. Their request stays open in the console.")
    response = VoiceResponse()
    response.hangup()
    return _twiml(response)
