"""Privacy tests: Twilio at the fake server, bodies kept, people who used every channel."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from sqlalchemy import func, select

from service.content.models import Network
from service.crypto import DecryptionError, Vault
from service.db import Base, get_database
from service.privacy.models import TwilioDeletion
from service.privacy.twilio_erasure import erase_at_twilio
from service.twilio_gateway import TwilioTransport
from tests.console.conftest import console, managers  # noqa: F401  (fixtures used here too)
from tests.fake_twilio import FakeTwilio
from tests.sms.conftest import Handset, signed_post
from tests.voice.conftest import Caller

SITE = "/kiosk/eastfield-depot/"


@pytest.fixture
def fake():
    """A fake Twilio REST server: texts are sent to it, recordings deleted at it."""
    with FakeTwilio() as server:
        yield server


@pytest.fixture
def config(config, fake):
    """Twilio at the fake; inbound bodies kept, so erasure must remove them too."""
    return config.replace(
        TWILIO_FROM_NUMBER="+441134960000",
        TWILIO_API_URL=fake.url,
        SMS_SEND_RATE=0,
        SMS_KEEP_BODIES=True,
    )


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
    call.press("4")  # leave a message: the call's row is made for the voicemail's callback
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
