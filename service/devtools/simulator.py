"""Send a text to the service exactly as Twilio would: a signed webhook to the real endpoint."""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from flask import Flask, url_for

from service.config import Config
from service.twilio_gateway import sign


@dataclass(frozen=True)
class SimulatedReply:
    """What the endpoint answered."""

    status: int
    texts: list[str]


def webhook_form(
    sender: str, to: str, body: str, account_sid: str, *, sid: str | None = None
) -> dict[str, str]:
    """The form fields Twilio posts for an inbound SMS."""
    sid = sid or "SM" + secrets.token_hex(16)
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": account_sid or "AC" + "0" * 32,
        "From": sender,
        "To": to,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }


def post_signed(app: Flask, path: str, form: dict[str, str]) -> tuple[int, str]:
    """POST form to path through the app with the signature Twilio would compute."""
    config: Config = app.config["FRONTLINE"]
    base = config.PUBLIC_URL.rstrip("/")
    signature = sign(base + path, form, config.TWILIO_AUTH_TOKEN)
    with app.test_client() as client:
        response = client.post(
            path, data=form, headers={"X-Twilio-Signature": signature}, base_url=base
        )
        return response.status_code, response.get_data(as_text=True)


def send_text(app: Flask, sender: str, to: str, body: str) -> SimulatedReply:
    """Text the service from sender to one of its numbers; the replies as the handset shows them."""
    config: Config = app.config["FRONTLINE"]
    with app.test_request_context():
        path = url_for("sms.inbound_sms")
    status, xml = post_signed(app, path, webhook_form(sender, to, body, config.TWILIO_ACCOUNT_SID))
    texts = []
    if status == 200:
        texts = [m.text or "" for m in ET.fromstring(xml).iter("Message")]  # noqa: S314
    return SimulatedReply(status, texts)


def call_form(sender: str, to: str, call_sid: str, **extra: str) -> dict[str, str]:
    """The form fields Twilio posts at each step of a voice call."""
    return {
        "CallSid": call_sid,
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "To": to,
        "Caller": sender,
        "Called": to,
        "CallStatus": "in-progress",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
        **extra,
    }


def voice_step(app: Flask, path: str, form: dict[str, str]) -> dict[str, object]:
    """POST one signed voice webhook; what the caller would hear and can do next."""
    status, xml = post_signed(app, path, form)
    if status != 200:
        return {"status": status}
    root = ET.fromstring(xml)  # noqa: S314 - our own TwiML
    gather = root.find("Gather")
    dial = root.find("Dial")
    number = dial.find("Number") if dial is not None else None
    return {
        "status": status,
        "say": [
            {"text": s.text or "", "lang": s.get("language", "en-GB")} for s in root.iter("Say")
        ],
        "gather": gather.get("action") if gather is not None else None,
        "redirect": root.findtext("Redirect"),
        "record": root.find("Record") is not None,
        "dial": (number.text if number is not None else dial.text) if dial is not None else None,
        "hangup": root.find("Hangup") is not None,
    }
