"""A caller on the phone line: signed webhooks into the Flask app, TwiML read back."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

from tests.support.sms import DEMO_NUMBER, signed_post

_calls = itertools.count(1)


class Caller:
    """One phone call, step by step, as Twilio would make it."""

    def __init__(self, client, number: str = "+447400123456") -> None:
        self.client = client
        self.number = number
        self.call_sid = f"CA{next(_calls):032x}"
        self.twiml: ET.Element | None = None
        self.xml = ""  # the last answer exactly as Twilio received it

    def _form(self, **extra: str) -> dict[str, str]:
        return {
            "CallSid": self.call_sid,
            "AccountSid": "AC" + "0" * 32,
            "From": self.number,
            "To": DEMO_NUMBER,
            "Caller": self.number,
            "Called": DEMO_NUMBER,
            "CallStatus": "in-progress",
            "Direction": "inbound",
            **extra,
        }

    def recording_form(self, recording_sid: str, seconds: int) -> dict[str, str]:
        """What Twilio posts to the recording callback once the caller's message is saved."""
        return {
            "CallSid": self.call_sid,
            "AccountSid": "AC" + "0" * 32,
            "RecordingSid": recording_sid,
            "RecordingUrl": f"https://api.twilio.com/rec/{recording_sid}",
            "RecordingStatus": "completed",
            "RecordingDuration": str(seconds),
        }

    def post(self, url: str, **extra: str) -> ET.Element:
        """POST to a URL from the last TwiML (path and query kept, as Twilio signs them)."""
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        response = signed_post(self.client, path, self._form(**extra))
        assert response.status_code == 200, response.get_data(as_text=True)
        self.xml = response.get_data(as_text=True)
        self.twiml = ET.fromstring(self.xml)
        return self.twiml

    def dial_in(self) -> ET.Element:
        """Call the organisation's number."""
        return self.post("/twilio/voice")

    def gather(self) -> ET.Element:
        """The <Gather> the caller is at."""
        assert self.twiml is not None
        found = self.twiml.find("Gather")
        assert found is not None, ET.tostring(self.twiml, encoding="unicode")
        return found

    def press(self, digits: str) -> ET.Element:
        """Press keys at the current menu."""
        return self.post(self.gather().get("action"), Digits=digits)

    def say_words(self, words: str) -> ET.Element:
        """Speak at the current menu."""
        return self.post(self.gather().get("action"), SpeechResult=words, Confidence="0.9")

    def silence(self) -> ET.Element:
        """Say nothing: Twilio falls through to the <Redirect> after the <Gather>."""
        assert self.twiml is not None
        return self.post(self.twiml.find("Redirect").text)

    def spoken(self) -> str:
        """Everything the caller hears in the last TwiML, in order (SSML inside <Say> too)."""
        assert self.twiml is not None
        return " ".join("".join(e.itertext()) for e in self.twiml.iter("Say"))
