"""Everything that touches Twilio's Python library outside TwiML: signatures and the REST client."""

from __future__ import annotations

import asyncio
import atexit
import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
from collections.abc import Coroutine, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar
from urllib.parse import urlencode, urlsplit

import requests
from aiohttp import ClientError, ClientSession, ClientTimeout, TCPConnector, encode_basic_auth
from flask import Flask, Request
from requests import RequestException
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from service.config import Config

log = logging.getLogger(__name__)
_T = TypeVar("_T")


def public_url(request: Request, config: Config) -> str:
    """The URL Twilio called, which its signature covers, as seen from outside any proxy."""
    if config.PROXY_FIX:
        # ProxyFix has already restored the outside scheme and host on the request.
        return request.url
    base = urlsplit(config.PUBLIC_URL)
    query = request.query_string.decode()
    path = (base.path.rstrip("/") + request.path) if base.path not in ("", "/") else request.path
    return f"{base.scheme}://{base.netloc}{path}" + (f"?{query}" if query else "")


def signature_is_valid(request: Request, config: Config) -> bool:
    """True when X-Twilio-Signature matches the request under the account's auth token."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not config.TWILIO_AUTH_TOKEN:
        return False
    url, form = public_url(request, config), request.form
    # Twilio signs the URL it called: one HMAC of exactly that URL settles a genuine request.
    # RequestValidator.validate always computes two (the URL with and without its port) and
    # compares them character by character in Python: a fifth of a menu step's CPU.
    if hmac.compare_digest(_signature(config.TWILIO_AUTH_TOKEN, url, form), signature.encode()):
        return True
    # Otherwise the library's own check, which also takes the URL with and without a port.
    return RequestValidator(config.TWILIO_AUTH_TOKEN).validate(url, form, signature)


def _signature(token: str, url: str, form: Any) -> bytes:
    # RequestValidator.compute_signature's: the URL, then each field name with each of its
    # values, names and values sorted, under HMAC-SHA1 in base64.
    payload = [url]
    for name in sorted(form):
        payload.extend(name + value for value in sorted(set(form.getlist(name))))
    digest = hmac.new(token.encode(), "".join(payload).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest)


def sign(url: str, params: dict[str, str], auth_token: str) -> str:
    """The signature Twilio would send for a POST of params to url (simulator and tests)."""
    return RequestValidator(auth_token).compute_signature(url, params)


# -- REST: texts, calls and recordings ---------------------------------------------------------

TWILIO_API = "https://api.twilio.com"
# Twilio errors that mean "this number will never take our texts".
OPTED_OUT_CODES = frozenset({21610})
UNUSABLE_CODES = frozenset({21211, 21614})


@dataclass(frozen=True)
class SendResult:
    """What Twilio said when it accepted a message."""

    sid: str
    status: str


class SendError(Exception):
    """Twilio did not accept the message."""

    def __init__(self, message: str, *, code: int | None, transient: bool) -> None:
        super().__init__(message)
        self.code = code
        self.transient = transient


@dataclass(frozen=True)
class Recording:
    """A voicemail's audio as Twilio serves it, read in chunks (never held whole in memory)."""

    content_type: str
    length: int | None
    chunks: Iterator[bytes]


class RecordingUnavailable(Exception):
    """Twilio could not (or may not) hand over a recording."""


class NotDeleted(Exception):
    """Twilio did not delete a message or call record (still in progress, or unreachable)."""


@dataclass(frozen=True)
class Exchanges:
    """The SIDs of every text and call the account exchanged with one number, either way."""

    messages: list[str]
    calls: list[str]


class Transport(Protocol):
    """Something that hands texts and calls to a carrier and fetches recordings back."""

    def send(self, *, to: str, body: str, status_callback: str | None) -> SendResult:
        """Send body to the E.164 number; raise SendError when it is not accepted."""
        ...

    def place_call(self, *, to: str, from_: str, url: str, status_callback: str | None) -> str:
        """Ring to from from_; on answer the carrier fetches TwiML from url. The call's SID."""
        ...

    def fetch_recording(self, recording_url: str) -> Recording:
        """The audio of a recording Twilio reported; RecordingUnavailable when it cannot."""
        ...

    def delete_recording(self, recording_sid: str) -> None:
        """Delete a recording at the carrier (gone already is fine); RecordingUnavailable if not."""
        ...

    def exchanges_with(self, number: str) -> Exchanges:
        """Every message and call to or from the number at the carrier; NotDeleted if unlisted."""
        ...

    def recordings_of(self, call_sid: str) -> list[str]:
        """The SIDs of a call's recordings at the carrier; NotDeleted when it cannot say."""
        ...

    def delete_message(self, message_sid: str) -> None:
        """Delete a message record at the carrier (gone already is fine); NotDeleted if not."""
        ...

    def delete_call(self, call_sid: str) -> None:
        """Delete a finished call's record at the carrier (gone is fine); NotDeleted if not."""
        ...


class _PooledHttpClient(TwilioHttpClient):
    """The twilio library's HTTP client, reading the proxy environment once rather than per call.

    requests looks up proxy and CA-bundle variables on every request of a session that trusts
    the environment (a scan of os.environ each time: a millisecond a text on a busy worker).
    They are the same for every call to the one API host, so they are taken once here.
    """

    def __init__(self, api_url: str, timeout: float) -> None:
        super().__init__(timeout=timeout)
        assert self.session is not None  # pool_connections: one keep-alive pool per client
        settings = self.session.merge_environment_settings(api_url, {}, None, None, None)
        self.session.trust_env = False
        self.session.proxies = settings["proxies"]
        self.session.verify = settings["verify"]

    # The library formats its request and response lines (headers included) before it asks
    # the logger whether it wants them: on every text, even when nothing is logged.
    def log_request(self, kwargs: dict[str, Any]) -> None:
        """Log the request as the library does, only when its logger would keep the lines."""
        if self.logger.isEnabledFor(logging.INFO):
            super().log_request(kwargs)

    def log_response(self, status_code: int, response: Any) -> None:
        """Log the response as the library does, only when its logger would keep the lines."""
        if self.logger.isEnabledFor(logging.INFO):
            super().log_response(status_code, response)


class _RedirectingHttpClient(_PooledHttpClient):
    """The twilio library's HTTP client, pointed at another base URL (the fake server)."""

    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__(base_url, timeout)
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        """Send the request to the configured base URL instead of Twilio's."""
        if url.startswith(TWILIO_API):
            url = self.base_url + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


@contextmanager
def _send_errors() -> Iterator[None]:
    """Turn what creating a message or call at Twilio raises into SendError, transient or not."""
    try:
        yield
    except TwilioRestException as exc:
        transient = exc.status == 429 or exc.status >= 500 or exc.code == 20429
        raise SendError(
            f"Twilio answered {exc.status}", code=exc.code, transient=transient
        ) from None
    except (RequestException, TwilioException, ClientError, TimeoutError) as exc:
        # Timeouts and dropped connections: Twilio may or may not have it; try again later.
        raise SendError(type(exc).__name__, code=None, transient=True) from None


class _SendLoop:
    """One event loop thread a process, where every text started by start_send is in flight.

    Texts in flight wait on Twilio's answer (100-300 ms), not on this process: one loop keeps
    many of them open on kept-alive connections at a fifth of the CPU a thread and the
    requests library spend a text. Started on first use, and again in a forked child.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0
        self._session: ClientSession | None = None

    def submit(self, coroutine: Coroutine[Any, Any, _T]) -> Future[_T]:
        """Run the coroutine on the loop; its future, to wait on from any thread."""
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                self._loop, self._pid, self._session = asyncio.new_event_loop(), os.getpid(), None
                threading.Thread(
                    target=self._loop.run_forever, name="twilio-sends", daemon=True
                ).start()
                atexit.register(self._close, self._loop)
            loop = self._loop
        return asyncio.run_coroutine_threadsafe(coroutine, loop)

    def _close(self, loop: asyncio.AbstractEventLoop) -> None:
        # Connections closed as they should be, not left to the garbage collector's warnings.
        async def close() -> None:
            if self._session is not None and self._loop is loop:
                await self._session.close()

        if loop.is_running():
            asyncio.run_coroutine_threadsafe(close(), loop).result(timeout=5)
            loop.call_soon_threadsafe(loop.stop)

    def session(self) -> ClientSession:
        """The loop's HTTP session (call on the loop): one connection pool for every send."""
        if self._session is None:
            # No cap of its own: each sending thread's window bounds what is in flight.
            self._session = ClientSession(connector=TCPConnector(limit=0))
        return self._session


_SEND_LOOP = _SendLoop()


def rest_client(config: Config, timeout: float) -> Client:
    """The account's REST client, sent to FRONTLINE_TWILIO_API_URL when that is set."""
    http_client = (
        _RedirectingHttpClient(config.TWILIO_API_URL, timeout)
        if config.TWILIO_API_URL
        else _PooledHttpClient(TWILIO_API, timeout)
    )
    return Client(config.TWILIO_ACCOUNT_SID, config.TWILIO_AUTH_TOKEN, http_client=http_client)


class TwilioTransport:
    """Sends through Twilio's REST API with a Messaging Service or a From number."""

    def __init__(self, config: Config, *, timeout: float = 10.0) -> None:
        self.client = rest_client(config, timeout)
        self.api_url = (config.TWILIO_API_URL or TWILIO_API).rstrip("/")
        self.auth = (config.TWILIO_ACCOUNT_SID, config.TWILIO_AUTH_TOKEN)
        self.timeout = timeout
        self.sender = (
            {"messaging_service_sid": config.TWILIO_MESSAGING_SERVICE_SID}
            if config.TWILIO_MESSAGING_SERVICE_SID
            else {"from_": config.TWILIO_FROM_NUMBER}
        )
        # What start_send posts for every text, worked out once: the Messages resource, the
        # library's own headers with the account's credentials, the sender's form field.
        account = config.TWILIO_ACCOUNT_SID
        self._messages_uri = f"{TWILIO_API}/2010-04-01/Accounts/{account}/Messages.json"
        self._messages_url = self.api_url + self._messages_uri[len(TWILIO_API) :]
        self._headers = {
            **self.client.get_headers("POST", None),
            "Authorization": encode_basic_auth(*self.auth),
        }
        self._sender_form = (
            {"MessagingServiceSid": config.TWILIO_MESSAGING_SERVICE_SID}
            if config.TWILIO_MESSAGING_SERVICE_SID
            else {"From": config.TWILIO_FROM_NUMBER}
        )
        self._client_timeout = ClientTimeout(total=timeout)
        self._proxy: str | None = None  # the environment's, read on the first start_send
        self._proxy_read = False

    def send(self, *, to: str, body: str, status_callback: str | None) -> SendResult:
        """Create the message at Twilio; classify failures as transient or permanent."""
        extra = {"status_callback": status_callback} if status_callback else {}
        with _send_errors():
            message = self.client.messages.create(to=to, body=body, **self.sender, **extra)
        return SendResult(sid=message.sid, status=message.status or "queued")

    def start_send(self, *, to: str, body: str, status_callback: str | None) -> Future[SendResult]:
        """Start creating the message at Twilio; a future of what send would return or raise."""
        # The request the library's messages.create makes (its form, headers and errors), posted
        # straight: its per-call plumbing (parameter mapping, the request's layers, a whole
        # MessageInstance parsed from the answer) cost the worker more CPU than the rest of a
        # text's sending, and a worker needs only the SID and status back.
        form = {"To": to, "Body": body, **self._sender_form}
        if status_callback:
            form["StatusCallback"] = status_callback
        if not self._proxy_read:
            # Read once: aiohttp's trust_env reads it again on every request (a scan of
            # os.environ, as much CPU as the rest of a send).
            proxies = requests.utils.get_environ_proxies(self.api_url)
            self._proxy = proxies.get(urlsplit(self.api_url).scheme) or proxies.get("all")
            self._proxy_read = True
        return _SEND_LOOP.submit(self._create(urlencode(form).encode()))

    async def _create(self, data: bytes) -> SendResult:
        with _send_errors():
            async with _SEND_LOOP.session().post(
                self._messages_url,
                data=data,
                headers=self._headers,
                timeout=self._client_timeout,
                allow_redirects=False,
                proxy=self._proxy,
            ) as response:
                status, text = response.status, await response.text()
            if not 200 <= status < 300:
                # The library's own reading of an error answer: the same exception it raises.
                answer = Response(status, text, None)
                raise self.client.api.v2010.exception(
                    "POST", self._messages_uri, answer, "Unable to create record"
                )
            message = json.loads(text) if text else {}
        return SendResult(sid=message.get("sid"), status=message.get("status") or "queued")

    def place_call(self, *, to: str, from_: str, url: str, status_callback: str | None) -> str:
        """Create the call at Twilio; failures raise SendError like texts do."""
        extra = {"status_callback": status_callback} if status_callback else {}
        with _send_errors():
            call = self.client.calls.create(to=to, from_=from_, url=url, **extra)
        return call.sid

    def fetch_recording(self, recording_url: str) -> Recording:
        """Stream the MP3 from Twilio with the account's credentials."""
        # Our credentials go to Twilio's API host only, whatever a stored URL says.
        if not recording_url.startswith(TWILIO_API + "/"):
            raise RecordingUnavailable("not a Twilio recording URL")
        path = recording_url[len(TWILIO_API) :]
        if not path.endswith((".mp3", ".wav")):
            path += ".mp3"
        try:
            response = requests.get(
                self.api_url + path, auth=self.auth, stream=True, timeout=self.timeout
            )
        except RequestException as exc:
            raise RecordingUnavailable(type(exc).__name__) from None
        if response.status_code != 200:
            response.close()
            raise RecordingUnavailable(f"Twilio answered {response.status_code}")
        length = response.headers.get("Content-Length", "")

        def chunks() -> Iterator[bytes]:
            with response:
                yield from response.iter_content(chunk_size=64 * 1024)

        return Recording(
            content_type=response.headers.get("Content-Type", "audio/mpeg"),
            length=int(length) if length.isdigit() else None,
            chunks=chunks(),
        )

    def delete_recording(self, recording_sid: str) -> None:
        """Delete the audio at Twilio; one deleted already (404) counts as done."""
        try:
            self.client.recordings(recording_sid).delete()
        except TwilioRestException as exc:
            if exc.status != 404:
                raise RecordingUnavailable(f"Twilio answered {exc.status}") from None
        except (RequestException, TwilioException) as exc:
            raise RecordingUnavailable(type(exc).__name__) from None

    def exchanges_with(self, number: str) -> Exchanges:
        """List texts and calls to and from the number (every page), newest first."""
        try:
            messages = [
                m.sid
                for direction in ({"to": number}, {"from_": number})
                for m in self.client.messages.stream(page_size=1000, **direction)
            ]
            calls = [
                c.sid
                for direction in ({"to": number}, {"from_": number})
                for c in self.client.calls.stream(page_size=1000, **direction)
            ]
        except TwilioRestException as exc:
            raise NotDeleted(f"Twilio answered {exc.status}") from None
        except (RequestException, TwilioException) as exc:
            raise NotDeleted(type(exc).__name__) from None
        # A text to and from the same number would be listed twice; keep the first.
        return Exchanges(list(dict.fromkeys(messages)), list(dict.fromkeys(calls)))

    def recordings_of(self, call_sid: str) -> list[str]:
        """List the call's recordings."""
        try:
            return [r.sid for r in self.client.recordings.stream(call_sid=call_sid)]
        except TwilioRestException as exc:
            raise NotDeleted(f"Twilio answered {exc.status}") from None
        except (RequestException, TwilioException) as exc:
            raise NotDeleted(type(exc).__name__) from None

    def delete_message(self, message_sid: str) -> None:
        """Delete a message record; one deleted already (404) counts as done."""
        self._delete(self.client.messages(message_sid))

    def delete_call(self, call_sid: str) -> None:
        """Delete a call record; Twilio refuses (20009) until the call has ended."""
        self._delete(self.client.calls(call_sid))

    @staticmethod
    def _delete(resource: Any) -> None:
        # Errors never quote the resource: its URL holds the SID, which must stay out of logs.
        try:
            resource.delete()
        except TwilioRestException as exc:
            if exc.status != 404:
                raise NotDeleted(f"Twilio answered {exc.status} (code {exc.code})") from None
        except (RequestException, TwilioException) as exc:
            raise NotDeleted(type(exc).__name__) from None


class DevTransport:
    """No Twilio account: messages stay in the outbox, where /dev/phone shows them arriving."""

    def send(self, *, to: str, body: str, status_callback: str | None) -> SendResult:
        """Accept the message locally."""
        return SendResult(sid="DEV" + secrets.token_hex(16), status="delivered")

    def place_call(self, *, to: str, from_: str, url: str, status_callback: str | None) -> str:
        """Pretend to ring: no account, no call (and no number in the log)."""
        log.info("development transport: a bridged call-back would ring the lead now")
        return "CADEV" + secrets.token_hex(15)

    def fetch_recording(self, recording_url: str) -> Recording:
        """Recordings live at Twilio; without an account there are none to fetch."""
        raise RecordingUnavailable("no Twilio account is configured")

    def delete_recording(self, recording_sid: str) -> None:
        """Without an account no recording was ever made: nothing to delete."""

    def exchanges_with(self, number: str) -> Exchanges:
        """Without an account Twilio holds nothing about anyone."""
        return Exchanges([], [])

    def recordings_of(self, call_sid: str) -> list[str]:
        """No account, no recordings."""
        return []

    def delete_message(self, message_sid: str) -> None:
        """Without an account no message record exists at Twilio: nothing to delete."""

    def delete_call(self, call_sid: str) -> None:
        """Without an account no call record exists at Twilio: nothing to delete."""


def transport_for(config: Config) -> Transport:
    """Twilio when an account is configured, the local development transport otherwise."""
    if config.TWILIO_ACCOUNT_SID:
        return TwilioTransport(config)
    return DevTransport()


TRANSPORT_KEY = "frontline.transport"


def app_transport(app: Flask) -> Transport:
    """The app's transport, made once and shared (the worker keeps it in the same place)."""
    transport = app.extensions.get(TRANSPORT_KEY)
    if transport is None:
        transport = app.extensions[TRANSPORT_KEY] = transport_for(app.config["FRONTLINE"])
    return transport


# -- REST: the account's own numbers -----------------------------------------------------------


@dataclass(frozen=True)
class NumberWebhooks:
    """Where Twilio should call for one of the organisation's numbers (all POST)."""

    sms_url: str
    voice_url: str
    status_callback: str


class NumberSetupError(Exception):
    """Twilio could not find, or would not change, one of the account's numbers."""


# The fields of an IncomingPhoneNumber that NumberWebhooks sets, with the methods beside them.
_WEBHOOK_FIELDS = {
    "sms_url": "sms_method",
    "voice_url": "voice_method",
    "status_callback": "status_callback_method",
}


def point_number(
    config: Config, e164: str, hooks: NumberWebhooks, *, timeout: float = 10.0
) -> list[str]:
    """Set the number's webhooks at Twilio; the names of the fields that changed."""
    client = rest_client(config, timeout)
    try:
        found = client.incoming_phone_numbers.list(phone_number=e164, limit=2)
        match = [n for n in found if n.phone_number == e164]
        if not match:
            raise NumberSetupError("not on this Twilio account")
        current = match[0]
        wanted = {field: getattr(hooks, field) for field in _WEBHOOK_FIELDS}
        changed = [
            field
            for field, method in _WEBHOOK_FIELDS.items()
            if getattr(current, field) != wanted[field]
            or (getattr(current, method) or "POST").upper() != "POST"
        ]
        if changed:
            methods = {method: "POST" for method in _WEBHOOK_FIELDS.values()}
            client.incoming_phone_numbers(current.sid).update(**wanted, **methods)
    except TwilioRestException as exc:
        raise NumberSetupError(f"Twilio answered {exc.status} (code {exc.code})") from None
    except (RequestException, TwilioException) as exc:
        raise NumberSetupError(type(exc).__name__) from None
    return changed
