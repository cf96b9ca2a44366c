"""A caller answering a survey on the phone line: to the first question, and a recording."""

from __future__ import annotations

import itertools
import re

from sqlalchemy import select

from service.contacts import operations as contacts
from service.crypto import vault_of
from service.outbox.models import OutboundMessage
from tests.support.voice import Caller

_recordings = itertools.count(0x5E00)
HAVE_YOUR_SAY = "7"  # at the main menu, while a survey is open


def texted_code(session, org, number: str) -> str:
    """The code in the last code text to a number, as its phone would show it."""
    contact = contacts.find_contact(session, org.id, number)
    row = session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.contact_id == contact.id, OutboundMessage.kind == "code")
        .order_by(OutboundMessage.id.desc())
    ).first()
    return re.search(r"\b(\d{6})\b", vault_of(session).decrypt(row.body_encrypted)).group(1)


def to_first_question(client, session, org, number: str, *, language_key: str = "1") -> Caller:
    """Call, choose a language, have your say, and key in the code texted to the number."""
    call = Caller(client, number)
    call.dial_in()
    call.press(language_key)
    call.press(HAVE_YOUR_SAY)
    call.press("1")  # text me the code
    call.press(texted_code(session, org, number))
    return call


def recording() -> dict[str, str]:
    """What Twilio adds to the <Record> action for a kept recording."""
    sid = f"RE{next(_recordings):032x}"
    return {
        "RecordingSid": sid,
        "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/AC{'0' * 32}/Recordings/{sid}",
        "RecordingDuration": "12",
        "Digits": "#",
    }
