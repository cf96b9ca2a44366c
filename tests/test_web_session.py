"""Twilio's webhooks open no cookie session; every other page keeps Flask's signed one."""

from __future__ import annotations

import pytest
from flask import session as flask_session
from flask.sessions import NullSession, SecureCookieSession


def _cookie(app, values: dict) -> dict[str, str]:
    """A Cookie header carrying a session the app itself signed, as a browser would send it."""
    signed = app.session_interface.get_signing_serializer(app).dumps(values)
    return {"Cookie": f"{app.config['SESSION_COOKIE_NAME']}={signed}"}


@pytest.mark.parametrize(
    "path", ["/twilio/sms", "/twilio/sms/reply-status", "/twilio/voice", "/twilio/voice/step"]
)
def test_a_webhook_gets_the_null_session_whatever_cookie_it_carries(app, path) -> None:
    with app.test_request_context(path, method="POST", headers=_cookie(app, {"manager": 1})):
        # Not even read: the null session is empty, and writing to it raises.
        assert isinstance(flask_session._get_current_object(), NullSession)
        assert "manager" not in flask_session
        with pytest.raises(RuntimeError):
            flask_session["planted"] = 1


@pytest.mark.parametrize("path", ["/console/", "/kiosk/depot/", "/", "/twilio"])
def test_every_other_page_still_reads_the_signed_cookie(app, path) -> None:
    with app.test_request_context(path, headers=_cookie(app, {"seen": 1})):
        assert isinstance(flask_session._get_current_object(), SecureCookieSession)
        assert flask_session["seen"] == 1
