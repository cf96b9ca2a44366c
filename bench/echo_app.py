"""The baseline: a minimal Flask app that answers a form POST with TwiML echoing the body."""

from __future__ import annotations

from flask import Flask, Response, request
from twilio.twiml.messaging_response import MessagingResponse

app = Flask(__name__)


@app.post("/twilio/sms")
def echo() -> Response:
    """Echo the text back as TwiML, doing nothing else."""
    reply = MessagingResponse()
    reply.message(request.form.get("Body", ""))
    return Response(str(reply), mimetype="text/xml")
