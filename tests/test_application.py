"""Twilio's webhooks run every request hook but the browsers' own (CSRF, remember-me cookie)."""

from __future__ import annotations

import pytest
from flask_wtf.csrf import CSRFError

from service import extensions
from tests.support.settings import PUBLIC_URL


def _names(hooks) -> list[str]:
    return [hook.__name__ for hook in hooks]


@pytest.mark.parametrize(
    "path", ["/twilio/sms", "/twilio/sms/status", "/twilio/voice/step", "/twilio/nowhere"]
)
def test_a_webhook_runs_the_body_limit_language_timing_and_headers_hooks(app, path) -> None:
    with app.test_request_context(path, method="POST", base_url=PUBLIC_URL):
        before, after = app._hooks_for_webhook()
    assert _names(before) == ["limit_body", "_choose_language_afresh", "_start"]
    assert _names(after) == ["_finish", "harden"]


def test_only_the_csrf_check_and_the_remember_cookie_are_kept_from_webhooks(app) -> None:
    assert sorted(_names(app._for_browsers)) == ["_update_remember_cookie", "csrf_protect"]
    # Still Flask's for every other request: a console form without its token is refused
    # (tests/console/test_sign_in.py), every answer carries the headers (test_http_security).
    assert extensions.login_manager._update_remember_cookie in app.after_request_funcs[None]
    assert "csrf_protect" in _names(app.before_request_funcs[None])


def test_a_console_form_still_meets_the_csrf_check(app) -> None:
    form = {"email": "someone@example.org"}
    context = app.test_request_context("/console/sign-in", method="POST", data=form)
    with context, pytest.raises(CSRFError):
        app.preprocess_request()
