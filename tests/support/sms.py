"""Text the service through its real entry point: signed webhooks into the Flask app."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from twilio.request_validator import RequestValidator

from service.devtools.simulator import webhook_form
from tests.support.settings import PUBLIC_URL, TEST_AUTH_TOKEN

DEMO_NUMBER = "+441134960000"


WORKER = "+447400123456"


_sids = itertools.count(1)


@dataclass
class Reply:
    """The webhook's answer as a handset would see it."""

    status: int
    texts: list[str]
    xml: str

    @property
    def text(self) -> str:
        """All reply texts joined, for assertions about content."""
        return "\n".join(self.texts)


def signed_post(client, path: str, form: dict[str, str], *, token: str = TEST_AUTH_TOKEN):
    """POST form to path with the signature Twilio would send."""
    signature = RequestValidator(token).compute_signature(PUBLIC_URL + path, form)
    return client.post(
        path, data=form, headers={"X-Twilio-Signature": signature}, base_url=PUBLIC_URL
    )


class Handset:
    """A worker's phone texting the demo number."""

    def __init__(self, client, number: str = WORKER) -> None:
        self.client = client
        self.number = number

    def form(self, body: str, *, sid: str | None = None, to: str = DEMO_NUMBER) -> dict[str, str]:
        """The webhook form for one text."""
        return webhook_form(self.number, to, body, "", sid=sid or f"SM{next(_sids):032x}")

    def send(self, body: str, *, sid: str | None = None, to: str = DEMO_NUMBER) -> Reply:
        """Text body and return the reply."""
        response = signed_post(self.client, "/twilio/sms", self.form(body, sid=sid, to=to))
        xml = response.get_data(as_text=True)
        texts = []
        if response.status_code == 200:
            texts = [m.text or "" for m in ET.fromstring(xml).iter("Message")]
        return Reply(response.status_code, texts, xml)

    def last(self, body: str) -> str:
        """Text body and return the last reply text (after any welcome)."""
        reply = self.send(body)
        assert reply.status == 200, reply.xml
        assert reply.texts, f"no reply to {body!r}"
        return reply.texts[-1]


# The warning's meaning in each language: that membership can reveal something personal.
WARNING = {
    "en": "something personal",
    "pl": "coś osobistego",
    "ro": "ceva personal",
    "ur": "ذاتی بات",
    "pa": "ਨਿੱਜੀ ਗੱਲ",
    "gu": "અંગત વાત",
    "so": "wax gaar ah",
}


def is_consent_question(text: str) -> bool:
    """Whether a reply is the consent question, in any language."""
    return any(marker in text for marker in WARNING.values())


def returning_member(client, number: str) -> Handset:
    """A member who has texted before and belongs to an open group (Carers)."""
    handset = Handset(client, number)
    handset.send("HELLO")
    handset.send("JOIN CARERS")
    return handset
