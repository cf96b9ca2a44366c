"""A fake Twilio REST server on 127.0.0.1: real HTTP, scripted answers, a record of every send.

It takes texts (Messages.json) and calls (Calls.json), serves recordings' audio and deletes
recordings (Recordings/RE….json), and keeps the account's numbers (IncomingPhoneNumbers),
which can be listed by PhoneNumber and have their webhooks updated.

Like Twilio it keeps a record of every text and call (those it took, and those a test says
arrived: `add_message`, `add_call`, `add_recording`), lists them page by page filtered by To
and From (recordings by CallSid), and deletes them: 204, 20009
for one still being processed (`not_yet`), 503 for everything while `outage` is set.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

MESSAGES = re.compile(r"^/2010-04-01/Accounts/(AC\w+)/Messages\.json$")
CALLS = re.compile(r"^/2010-04-01/Accounts/(AC\w+)/Calls\.json$")
RECORDING = re.compile(r"^/2010-04-01/Accounts/(AC\w+)/Recordings/(RE\w+)\.mp3$")
NUMBERS = re.compile(r"^/2010-04-01/Accounts/(AC\w+)/IncomingPhoneNumbers\.json$")
NUMBER = re.compile(r"^/2010-04-01/Accounts/(AC\w+)/IncomingPhoneNumbers/(PN\w+)\.json$")
# Lists and single records of texts, calls and recordings, as the REST API names them.
LISTING = re.compile(r"^/2010-04-01/Accounts/(AC\w+)/(Messages|Calls|Recordings)\.json$")
RECORD = re.compile(r"^/2010-04-01/Accounts/(AC\w+)/(Messages|Calls|Recordings)/(\w+)\.json$")
MAX_PAGE_SIZE = 1000  # Twilio's own cap on PageSize


def silent_mp3(seconds: float = 1.0) -> bytes:
    """A small valid MP3: MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz, mono) of silence."""
    header = bytes([0xFF, 0xFB, 0x90, 0xC4])
    frame = header + bytes(417 - len(header))  # 144 * 128000 / 44100 bytes a frame
    return frame * max(1, round(seconds * 44100 / 1152))


AUDIO = silent_mp3()


@dataclass(frozen=True)
class Answer:
    """How the fake answers one request: HTTP status, Twilio error code, or a hang."""

    status: int = 201
    code: int | None = None
    hang_seconds: float = 0.0


ROOT = Path(__file__).resolve().parents[2]


def process_env(instance: str, fake_url: str, **settings: str) -> dict[str, str]:
    """The environment of a real `frontline` process that sends through a fake at fake_url.

    The caller's own FRONTLINE_ settings are dropped; texts go at once, at full pace, whatever
    the hour. settings add or replace FRONTLINE_ settings (DATABASE_URL="sqlite:///…").
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTLINE_")}
    env.update(
        PYTHONPATH=str(ROOT),
        FRONTLINE_ENV="development",
        FRONTLINE_INSTANCE_DIR=instance,
        FRONTLINE_PUBLIC_URL="https://frontline.invalid",
        FRONTLINE_TWILIO_ACCOUNT_SID="AC" + "1" * 32,
        FRONTLINE_TWILIO_AUTH_TOKEN="fake-twilio-token",
        FRONTLINE_TWILIO_FROM_NUMBER="+441134960000",
        FRONTLINE_TWILIO_API_URL=fake_url,
        FRONTLINE_SMS_SEND_RATE="0",
        FRONTLINE_QUIET_HOURS="",
        FRONTLINE_MAX_DAILY_TEXTS="100",
        FRONTLINE_LOG_LEVEL="WARNING",
    )
    env.update({f"FRONTLINE_{name}": value for name, value in settings.items()})
    return env


class _Server(ThreadingHTTPServer):
    # Clients that keep many texts in flight open as many connections at once: the default
    # backlog of 5 would drop their SYNs, and each retry waits a second.
    request_queue_size = 256

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that gave up on an answer (a send's timeout) hangs up as Twilio's clients
        # do: not the fake's fault, and printing its traceback from this thread only made
        # noise (and parsed source beside the test's own thread: tests/support/ast_guard.py).
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class FakeTwilio:
    """Start with `with FakeTwilio() as fake:`; point FRONTLINE_TWILIO_API_URL at fake.url."""

    def __init__(self, latency: float = 0.0, port: int = 0) -> None:
        # Seconds before each text or call is answered: Twilio's API takes 100-300 ms to create
        # a message, which the fake otherwise answers at once. Many wait at once, each on its
        # own connection's thread, as they would at Twilio.
        self.latency = latency
        self.sent: list[dict[str, str]] = []  # accepted messages, in order
        self.calls: list[dict[str, str]] = []  # accepted calls, in order
        self.fetched: list[dict[str, str]] = []  # recordings served: path and Authorization
        self.deleted: list[str] = []  # recording SIDs deleted, in order
        self.deleted_messages: list[str] = []  # message SIDs deleted, in order
        self.deleted_calls: list[str] = []  # call SIDs deleted, in order
        # The records Twilio holds, by resource ("Messages", "Calls", "Recordings") and SID.
        self.records: dict[str, dict[str, dict[str, str]]] = {
            "Messages": {},
            "Calls": {},
            "Recordings": {},
        }
        # SIDs Twilio cannot delete yet (a call in progress, a message being sent): error 20009.
        self.not_yet: set[str] = set()
        self.outage = False  # while True, every list and DELETE answers 503
        self.max_page_size = MAX_PAGE_SIZE
        self.listings: list[str] = []  # list requests (path and query), in order
        self.numbers: dict[str, dict[str, str | None]] = {}  # the account's numbers, by SID
        self.number_updates: list[dict[str, str]] = []  # number updates: the form and "sid"
        self.requests = 0
        self.script: deque[Answer] = deque()  # answers to give first, then 201s
        self.rule: Callable[[dict[str, str]], Answer | None] | None = None
        self._lock = threading.RLock()  # _hold takes it inside the handlers' own hold of it
        # SIDs from 0xfa…: never equal to the small ones the test handsets and callers count.
        self._sids = itertools.count(0xFA << 120)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive, as Twilio's API does: a client's connection pool is used as it is
            # there (every answer below carries its Content-Length).
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Headers and body go out in separate writes: without this, Nagle's algorithm
                # holds the body back for the client's delayed ACK (40 ms a request).
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                listing = NUMBERS.match(urlsplit(self.path).path)
                if listing:
                    self._numbers(listing.group(1))
                    return
                records = LISTING.match(urlsplit(self.path).path)
                if records:
                    self._list(records.group(1), records.group(2))
                    return
                if not RECORDING.match(self.path):
                    self._json(404, {"code": 20404, "message": "not found", "status": 404})
                    return
                with fake._lock:
                    fake.fetched.append(
                        {"path": self.path, "auth": self.headers.get("Authorization", "")}
                    )
                self.send_response(200)
                self.send_header("Content-Type", "audio/mpeg")
                self.send_header("Content-Length", str(len(AUDIO)))
                self.end_headers()
                self.wfile.write(AUDIO)

            def do_DELETE(self) -> None:
                match = RECORD.match(self.path)
                if not match:
                    self._json(404, {"code": 20404, "message": "not found", "status": 404})
                    return
                resource, sid = match.group(2), match.group(3)
                with fake._lock:
                    fake.requests += 1
                    held = fake.records[resource]
                    if fake.outage:
                        failure = (503, 20503, "service unavailable")
                    elif sid in fake.not_yet:
                        failure = (400, 20009, "cannot delete before it is complete")
                    else:
                        # A record the fake was never told of is taken as held: tests that
                        # care what Twilio holds tell it (add_message…), others need not.
                        failure = None
                        held.pop(sid, None)
                        {
                            "Messages": fake.deleted_messages,
                            "Calls": fake.deleted_calls,
                            "Recordings": fake.deleted,
                        }[resource].append(sid)
                if failure is not None:
                    status, code, message = failure
                    self._json(status, {"code": code, "message": message, "status": status})
                    return
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self) -> None:
                match = MESSAGES.match(self.path) or CALLS.match(self.path)
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                if len(raw) < length:
                    # The client died mid-request (a killed worker): nothing was asked for.
                    self.close_connection = True
                    return
                form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                number = NUMBER.match(self.path)
                if number:
                    self._update_number(number.group(2), form)
                    return
                if not match:
                    self._json(404, {"code": 20404, "message": "not found", "status": 404})
                    return
                answer = fake._answer(form)
                if answer.hang_seconds or fake.latency:
                    time.sleep(answer.hang_seconds or fake.latency)
                if answer.status >= 300:
                    self._json(
                        answer.status,
                        {
                            "code": answer.code,
                            "status": answer.status,
                            "message": "scripted failure",
                            "more_info": "",
                        },
                    )
                    return
                if match.re is CALLS:
                    self._call(form, match.group(1))
                    return
                sid = f"SM{next(fake._sids):032x}"
                sender = form.get("From", form.get("MessagingServiceSid", ""))
                with fake._lock:
                    fake.sent.append({**form, "sid": sid})
                    fake._hold("Messages", sid, form.get("To", ""), sender, "queued")
                self._json(
                    201,
                    {
                        "sid": sid,
                        "status": "queued",
                        "to": form.get("To"),
                        "body": form.get("Body"),
                        "account_sid": match.group(1),
                    },
                )

            def _call(self, form: dict[str, str], account: str) -> None:
                sid = f"CA{next(fake._sids):032x}"
                with fake._lock:
                    fake.calls.append({**form, "sid": sid})
                    fake._hold("Calls", sid, form.get("To", ""), form.get("From", ""), "queued")
                self._json(
                    201,
                    {
                        "sid": sid,
                        "status": "queued",
                        "to": form.get("To"),
                        "from": form.get("From"),
                        "direction": "outbound-api",
                        "account_sid": account,
                    },
                )

            def _list(self, account: str, resource: str) -> None:
                query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                filters = {
                    field: query[param]
                    for param, field in (("To", "to"), ("From", "from"), ("CallSid", "call_sid"))
                    if param in query
                }
                size = min(int(query.get("PageSize", 50)), fake.max_page_size)
                page = int(query.get("Page", 0))
                with fake._lock:
                    fake.requests += 1
                    fake.listings.append(self.path)
                    if fake.outage:
                        outage = True
                    else:
                        outage = False
                        found = [
                            {**r, "account_sid": account}
                            for r in fake.records[resource].values()
                            if all(r.get(f) == v for f, v in filters.items())
                        ]
                if outage:
                    self._json(503, {"code": 20503, "message": "unavailable", "status": 503})
                    return
                chunk = found[page * size : (page + 1) * size]
                uri = urlsplit(self.path).path
                more = (page + 1) * size < len(found)
                rest = urlencode({k: v for k, v in query.items() if k not in ("Page", "PageSize")})
                self._json(
                    200,
                    {
                        resource.lower(): chunk,
                        "end": page * size + max(len(chunk) - 1, 0),
                        "first_page_uri": uri,
                        "next_page_uri": f"{uri}?Page={page + 1}&PageSize={size}&{rest}"
                        if more
                        else None,
                        "previous_page_uri": None,
                        "page": page,
                        "page_size": size,
                        "start": page * size,
                        "uri": uri,
                    },
                )

            def _numbers(self, account: str) -> None:
                query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                with fake._lock:
                    fake.requests += 1
                    found = [
                        {**n, "account_sid": account}
                        for n in fake.numbers.values()
                        if query.get("PhoneNumber") in (None, n["phone_number"])
                    ]
                uri = urlsplit(self.path).path
                self._json(
                    200,
                    {
                        "incoming_phone_numbers": found,
                        "end": max(len(found) - 1, 0),
                        "first_page_uri": uri,
                        "next_page_uri": None,
                        "previous_page_uri": None,
                        "page": 0,
                        "page_size": 50,
                        "start": 0,
                        "uri": uri,
                    },
                )

            def _update_number(self, sid: str, form: dict[str, str]) -> None:
                answer = fake._answer(form)
                if answer.status >= 300 or sid not in fake.numbers:
                    status = answer.status if answer.status >= 300 else 404
                    self._json(
                        status,
                        {"code": answer.code or 20404, "status": status, "message": "refused"},
                    )
                    return
                fields = {
                    "SmsUrl": "sms_url",
                    "SmsMethod": "sms_method",
                    "VoiceUrl": "voice_url",
                    "VoiceMethod": "voice_method",
                    "StatusCallback": "status_callback",
                    "StatusCallbackMethod": "status_callback_method",
                }
                with fake._lock:
                    fake.number_updates.append({**form, "sid": sid})
                    resource = fake.numbers[sid]
                    resource.update({fields[k]: v for k, v in form.items() if k in fields})
                    payload = dict(resource)
                self._json(200, payload)

            def _json(self, status: int, payload: dict) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = _Server(("127.0.0.1", port), Handler, bind_and_activate=False)
        if port:
            # A given port is shared with the other fakes that bind it, the kernel spreading
            # connections among them: a bench runs several processes of fakes, so that
            # Twilio's stand-in is not what it measures.
            self.server.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        self.server.server_bind()
        self.server.server_activate()
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def _answer(self, form: dict[str, str]) -> Answer:
        with self._lock:
            self.requests += 1
            if self.script:
                return self.script.popleft()
        if self.rule is not None:
            return self.rule(form) or Answer()
        return Answer()

    def add_number(self, e164: str, **webhooks: str | None) -> str:
        """Put a number on the account (webhooks as sms_url=…); its PN SID."""
        sid = f"PN{next(self._sids):032x}"
        with self._lock:
            self.numbers[sid] = {
                "sid": sid,
                "phone_number": e164,
                "sms_url": None,
                "sms_method": "POST",
                "voice_url": None,
                "voice_method": "POST",
                "status_callback": None,
                "status_callback_method": "POST",
                **webhooks,
            }
        return sid

    def add_message(self, *, to: str, from_: str, sid: str | None = None) -> str:
        """A text Twilio holds that did not come through the fake (inbound, TwiML replies)."""
        return self._hold("Messages", sid or f"SM{next(self._sids):032x}", to, from_, "received")

    def add_call(self, *, to: str, from_: str, sid: str | None = None) -> str:
        """A call Twilio holds that did not come through the fake (an inbound call, a leg)."""
        return self._hold("Calls", sid or f"CA{next(self._sids):032x}", to, from_, "completed")

    def _hold(self, kind: str, sid: str, to: str, from_: str, status: str) -> str:
        with self._lock:
            self.records[kind][sid] = {"sid": sid, "to": to, "from": from_, "status": status}
        return sid

    def add_recording(self, *, call_sid: str, sid: str | None = None) -> str:
        """A recording Twilio holds, made during a call."""
        sid = sid or f"RE{next(self._sids):032x}"
        with self._lock:
            self.records["Recordings"][sid] = {"sid": sid, "call_sid": call_sid}
        return sid

    def held_for(self, number: str) -> list[str]:
        """SIDs of every text and call Twilio still holds to or from the number."""
        with self._lock:
            return [
                sid
                for resource in ("Messages", "Calls")
                for sid, r in self.records[resource].items()
                if number in (r["to"], r["from"])
            ]

    def to(self, number: str) -> list[str]:
        """Bodies accepted for one number."""
        with self._lock:
            return [m["Body"] for m in self.sent if m["To"] == number]

    def __enter__(self) -> FakeTwilio:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    """A fake Twilio REST server on 127.0.0.1: texts are sent to it, recordings deleted at it."""
    with FakeTwilio() as server:
        yield server


def config_at_fake(**settings: object):
    """A `config` fixture with Twilio's REST API at the fake, plus a folder's own settings.

    Assign it where the tests live: `config = config_at_fake(SMS_SEND_RATE=0)`.
    """

    @pytest.fixture
    def config(config, fake):
        """The test configuration, Twilio at the fake."""
        return config.replace(TWILIO_API_URL=fake.url, **settings)

    return config
