"""People who used every channel, and where their traces are looked for."""

from __future__ import annotations

import contextlib
import datetime as dt
import json

from sqlalchemy import func, select

from service.callbacks.models import CallbackRequest
from service.contacts.operations import find_contact
from service.content import queries
from service.content.models import Network
from service.crypto import DecryptionError, Vault
from service.db import Base, get_database, utcnow
from service.outbox.models import OutboundMessage
from service.privacy.models import TwilioDeletion
from service.privacy.twilio_erasure import erase_at_twilio
from service.sms.models import InboundMessage
from service.twilio_gateway import TwilioTransport
from tests.support.outbox import Worker
from tests.support.sms import Handset, signed_post
from tests.support.texts import code_in, texts_to
from tests.support.voice import Caller

SITE = "/kiosk/eastfield-depot/"


def network_id(session, slug: str) -> int:
    """A demo network's id."""
    return session.scalar(select(Network.id).where(Network.slug == slug))


def use_phone_and_text(client, number: str, *, recording: str) -> None:
    """One person texts, joins, RSVPs, asks for a call, calls and leaves a voicemail."""
    phone = Handset(client, number)
    phone.send("HELLO")
    phone.send("JOIN CARERS")
    phone.send("JOIN MINDS")
    phone.send("YES")  # a sensitive network: consent recorded
    phone.send("EVENTS")
    phone.send("GOING 1")
    phone.send("CALL ME")
    phone.send("NETWORKS")  # leaves a numbered list in the conversation state
    call = Caller(client, number)
    call.dial_in()
    call.press("1")  # English: every caller picks a language
    call.press("4")  # leave a message
    call.press("4")  # any time: the call's row is made for the voicemail's callback
    signed_post(
        client,
        "/twilio/voice/recording",
        {
            "CallSid": call.call_sid,
            "RecordingSid": recording,
            "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/AC{'0' * 32}/"
            f"Recordings/{recording}",
            "RecordingStatus": "completed",
            "RecordingDuration": "12",
        },
    )
    signed_post(
        client,
        "/twilio/voice/status",
        {"CallSid": call.call_sid, "CallStatus": "completed", "CallDuration": "40"},
    )


def ask_at_kiosk(client, session, national: str, key: str) -> None:
    """Ask to join a network at a kiosk: a code row, a request key and a text waiting to go."""
    started = client.post(
        f"{SITE}api/start",
        json={
            "action": "join",
            "network": network_id(session, "careers"),
            "phone": national,
            "key": key,
        },
    )
    assert started.status_code == 200, started.get_json()


def _python_type(column) -> type | None:
    try:
        return column.type.python_type
    except NotImplementedError:
        return None


def traces(session, vault: Vault, needles: list[str]) -> list[str]:
    """Every table.column.row that holds a needle, in clear or encrypted (any encryption)."""
    found = []
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if _python_type(c) in (str, dict, list)]
        for row in session.execute(select(table)).mappings():
            for column in columns:
                value = row[column.name]
                if value is None:
                    continue
                text = value if isinstance(value, str) else repr(value)
                plain = [text]
                if isinstance(value, str) and len(value) >= 50:
                    with contextlib.suppress(DecryptionError):
                        plain.append(vault.decrypt(value))
                if any(n in p for n in needles for p in plain):
                    found.append(f"{table.name}.{column.name} (row {dict(row).get('id')})")
    return found


def started_at(session) -> dt.datetime:
    """When the erasures wrote their rows: the clock every later run is counted from."""
    return session.scalar(select(func.min(TwilioDeletion.created_at)))


def run_worker(app, at: dt.datetime, *, until: dt.timedelta, step: dt.timedelta) -> None:
    """Run the periodic job as the worker would, every `step`, from `at` for `until`."""
    config = app.config["FRONTLINE"]
    transport = TwilioTransport(config, timeout=0.5)
    database = get_database(app)
    moment = at
    while moment <= at + until:
        erase_at_twilio(database, transport, moment)
        moment += step


TEXTER, CALLER, KIOSK_USER, LEAD = (
    "+447400123456",
    "+447400765432",
    "+447400234567",
    "+447400998877",
)


# What people write: distinctive, so any copy of them in a log is found.
BODIES = (
    "JOIN CARERS",
    "JOIN MINDS",
    "EVENTS",
    "GOING 1",
    "CALL ME",
    "my manager shouts at me every shift",
    "LANGUAGE POLSKI",
    "SPEAKUP the night shift rota is unsafe",
    "FORGET ME",
)


def forms(e164: str) -> list[str]:
    """Every way a UK number is written: +44…, 44…, 07… with and without its space."""
    national = "0" + e164[3:]
    return [e164, e164[1:], national, f"{national[:5]} {national[5:]}", e164[3:]]


def drive_sms(client) -> None:
    phone = Handset(client, TEXTER)
    for body in BODIES[:-1]:
        phone.send(body)
    phone.send("YES")
    # A forged webhook is refused (and logged) without naming who it claims to be from.
    signed_post(client, "/twilio/sms", phone.form("JOIN CARERS"), token="not-the-token")


def drive_status_callbacks(client, session) -> None:
    for row in session.scalars(
        select(OutboundMessage).where(OutboundMessage.twilio_sid.is_not(None))
    ):
        signed_post(
            client,
            f"/twilio/sms/status?outbox_id={row.id}",
            {"MessageSid": row.twilio_sid, "MessageStatus": "delivered", "To": TEXTER},
        )


def drive_voice(client) -> None:
    call = Caller(client, CALLER)
    call.dial_in()
    call.press("1")
    call.press("1")
    call.silence()
    call.press("0")  # back to the main menu
    call.press("4")  # a message for the organisers
    call.press("4")  # any time: the contact and the call's row start here
    signed_post(
        client,
        "/twilio/voice/recording",
        {
            "CallSid": call.call_sid,
            "RecordingSid": "RE" + "d" * 32,
            "RecordingDuration": "9",
            "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE"
            + "d" * 32,
        },
    )
    signed_post(
        client, "/twilio/voice/status", {"CallSid": call.call_sid, "CallStatus": "completed"}
    )


def drive_kiosk(client, session, demo, vault) -> None:
    careers = network_id(session, "careers")
    refused = client.post(
        f"{SITE}api/start", json={"action": "join", "network": careers, "phone": "07400 2345"}
    )
    assert refused.status_code == 400
    started = client.post(
        f"{SITE}api/start", json={"action": "join", "network": careers, "phone": "07400 234567"}
    ).get_json()
    client.post(f"{SITE}api/check", json={"token": started["token"], "code": "000000x"})
    # No contact until the code matches: the code's text is found by the number.
    code = code_in(texts_to(session, vault, KIOSK_USER)[-1])
    assert (
        client.post(f"{SITE}api/check", json={"token": started["token"], "code": code}).status_code
        == 200
    )
    now = utcnow()
    occurrence = queries.upcoming_occurrences(
        session, demo.id, start=now, end=now + dt.timedelta(days=14), language="en"
    )[0]
    client.post(
        f"{SITE}api/text-me",
        json={
            "event": occurrence.event_id,
            "phone": "07400234567",
            "occurrence": occurrence.starts_at.isoformat(),
        },
    )


def drive_console(client, console, managers, session, demo) -> None:
    admin = managers["admin"]
    console.sign_in(admin.email, admin.totp_secret)
    console.post(
        "/console/callbacks/phone", {"phone": "07400 998877"}, token_from="/console/callbacks"
    )
    for path in ("/console/", "/console/callbacks", "/console/reach", "/console/audit"):
        assert console.get(path).status_code == 200
    voicemail = session.scalar(select(CallbackRequest.id).where(CallbackRequest.channel == "voice"))
    revealed = console.post(
        f"/console/callbacks/{voicemail}/reveal", {}, token_from="/console/callbacks"
    )
    assert "07400 765432" in revealed.get_data(as_text=True)  # on the page, never in a log
    console.post("/console/privacy", {"phone": "07400 765432"})
    caller = find_contact(session, demo.id, CALLER)
    console.post(f"/console/privacy/{caller.id}/export.pdf", {}, token_from="/console/privacy")
    console.post(f"/console/privacy/{caller.id}/export.json", {}, token_from="/console/privacy")
    console.post(
        f"/console/privacy/{caller.id}/erase", {"confirm": "y"}, token_from="/console/privacy"
    )
    # And the texter leaves by text.
    Handset(client, TEXTER).send(BODIES[-1])
    Handset(client, TEXTER).send("YES")


def drive_every_channel(client, app, session, demo, vault, queued, console, managers) -> None:
    """Text, call, use the kiosk and the console; the worker sends and Twilio reports back."""
    drive_sms(client)
    drive_voice(client)
    drive_kiosk(client, session, demo, vault)
    # The worker sends the codes and "text me this" through the fake Twilio; Twilio reports back.
    Worker(app, queued).run()
    drive_status_callbacks(client, session)
    drive_console(client, console, managers, session, demo)


def secrets_held(session, vault: Vault) -> list[str]:
    """What no log may show: every form of the people's numbers, what they sent, what they got."""
    sent = [vault.decrypt(r.body_encrypted) for r in session.scalars(select(OutboundMessage))]
    replies = [
        text
        for r in session.scalars(select(InboundMessage))
        if r.replies_encrypted
        for text in json.loads(vault.decrypt(r.replies_encrypted))
    ]
    return [
        *(form for number in (TEXTER, CALLER, KIOSK_USER, LEAD) for form in forms(number)),
        *BODIES,
        *(text for text in sent + replies if len(text) >= 12),
    ]
