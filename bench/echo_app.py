"""The baseline: a minimal Flask app that answers a form POST with TwiML echoing the body."""

from __future__ import annotations

import os

from flask import Flask, Response, abort, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

app = Flask(__name__)
# Signed like the service: it checks X-Twilio-Signature too, so the baseline does that work.
_validator = RequestValidator(os.environ.get("FRONTLINE_TWILIO_AUTH_TOKEN", ""))
_public_url = os.environ.get("FRONTLINE_PUBLIC_URL", "").rstrip("/")


@app.before_request
def _signed() -> None:
    url = _public_url + request.full_path.rstrip("?")
    if not _validator.validate(url, request.form, request.headers.get("X-Twilio-Signature", "")):
        abort(403)


@app.post("/twilio/sms")
def echo() -> Response:
    """Echo the text back as TwiML, doing nothing else."""
    reply = MessagingResponse()
    reply.message(request.form.get("Body", ""))
    return Response(str(reply), mimetype="text/xml")


@app.post("/twilio/voice")
@app.post("/twilio/voice/step")
def echo_voice() -> Response:
    """A menu that says one fixed sentence and waits for a key, doing nothing else."""
    reply = VoiceResponse()
    gather = reply.gather(input="dtmf", num_digits=1, action="/twilio/voice/step")
    gather.say("For groups, press 1.")
    return Response(str(reply), mimetype="text/xml")
