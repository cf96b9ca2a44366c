"""Everything that touches Twilio's Python library outside TwiML: signatures and the REST client."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Request
from twilio.request_validator import RequestValidator

from service.config import Config


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
    validator = RequestValidator(config.TWILIO_AUTH_TOKEN)
    return validator.validate(public_url(request, config), request.form, signature)


def sign(url: str, params: dict[str, str], auth_token: str) -> str:
    """The signature Twilio would send for a POST of params to url (simulator and tests)."""
    return RequestValidator(auth_token).compute_signature(url, params)

