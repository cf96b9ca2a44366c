"""The signed cookie session, which Twilio's webhooks never open.

Twilio sends no cookie and keeps none, and no webhook reads or writes the session: opening one
for them only costs a serializer and a cookie parse on every text and call step, and saving it
a check of what a browser would be sent. Under /twilio/ the session is Flask's null session
(read as empty; writing to it raises), so a webhook can neither read nor set a cookie.
"""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

# Every Twilio webhook (SMS, voice, status callbacks) is served under this prefix.
WEBHOOK_PREFIX = "/twilio/"


def is_webhook(request: Request) -> bool:
    """Whether the request is one of Twilio's webhooks (by its path, not anything it claims)."""
    return request.path.startswith(WEBHOOK_PREFIX)


class CookieSessionExceptWebhooks(SecureCookieSessionInterface):
    """Flask's signed cookie session for browsers; the null session for Twilio's webhooks."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """No session for a webhook (Flask then uses the null session); the cookie's otherwise."""
        if is_webhook(request):
            return None
        return super().open_session(app, request)
