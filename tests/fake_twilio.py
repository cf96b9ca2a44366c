"""A fake Twilio REST server on 127.0.0.1: real HTTP, scripted answers, a record of every send.

It takes texts (Messages.json) and calls (Calls.json), serves recordings' audio and deletes
recordings (Recordings/RE….json), and keeps the account's numbers (IncomingPhoneNumbers),
which can be listed by PhoneNumber and have their webhooks updated.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MESSAGES = re.compile(r"^/2010-04-01/Accounts/(AC\w+)/Messages\.json$")
CALLS = re.compile(r"^/2010-04-01/Accounts/(AC\w+)/Calls\.json$")
RECORDING = re.compile(r"^/2010-04-01/Accounts/(AC\w+)/Recordings/(RE\w+)\.mp3$")
RECORDING_RESOURCE = re.compile(r"^/2010-04-01/Accounts/(AC\w+)/Recordings/(RE\w+)\.json$")
NUMBERS = re.compile(r"^/2010-04-01/Accounts/(AC\w+)/IncomingPhoneNumbers\.json$")
NUMBER = re.compile(r"^/2010-04-01/Accounts/(AC\w+)/IncomingPhoneNumbers/(PN\w+)\.json$")


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


class FakeTwilio:
    """Start with `with FakeTwilio() as fake:`; point FRONTLINE_TWILIO_API_URL at fake.url."""

    def __init__(self) -> None:
        self.sent: list[dict[str, str]] = []  # accepted messages, in order
        self.calls: list[dict[str, str]] = []  # accepted calls, in order
        self.fetched: list[dict[str, str]] = []  # recordings served: path and Authorization
        self.deleted: list[str] = []  # recording SIDs deleted, in order
        self.numbers: dict[str, dict[str, str | None]] = {}  # the account's numbers, by SID
        self.number_updates: list[dict[str, str]] = []  # number updates: the form and "sid"
        self.requests = 0
        self.script: deque[Answer] = deque()  # answers to give first, then 201s
        self.rule: Callable[[dict[str, str]], Answer | None] | None = None
        self._lock = threading.Lock()
        self._sids = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                listing = NUMBERS.match(urlsplit(self.path).path)
                if listing:
                    self._numbers(listing.group(1))
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
                match = RECORDING_RESOURCE.match(self.path)
                if not match:
                    self._json(404, {"code": 20404, "message": "not found", "status": 404})
                    return
                with fake._lock:
                    fake.deleted.append(match.group(2))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self) -> None:
                match = MESSAGES.match(self.path) or CALLS.match(self.path)
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                number = NUMBER.match(self.path)
                if number:
                    self._update_number(number.group(2), form)
                    return
                if not match:
                    self._json(404, {"code": 20404, "message": "not found", "status": 404})
                    return
                answer = fake._answer(form)
                if answer.hang_seconds:
                    time.sleep(answer.hang_seconds)
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
                with fake._lock:
                    fake.sent.append({**form, "sid": sid})
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

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
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
