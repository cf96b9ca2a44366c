"""Signing in to the console: password, authenticator code, throttle, timeouts, cookies, CSRF."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import select

from service.audit.models import AuditEntry
from service.cli import cli
from service.console import auth
from service.console import sign_in as sign_in_area
from service.db import utcnow
from service.managers.models import Manager, SignInThrottle
from tests.support.console import PASSWORD


def later(monkeypatch, delta: dt.timedelta) -> None:
    """Move the clock the console sees forward."""
    moment = utcnow() + delta
    monkeypatch.setattr(sign_in_area, "utcnow", lambda: moment)
    monkeypatch.setattr(auth, "utcnow", lambda: moment)


def test_create_manager_makes_the_first_admin(app, demo, session):
    result = CliRunner().invoke(
        cli,
        [
            "create-manager",
            "--email",
            "Boss@Northgate.example",
            "--name",
            "Ada",
            "--password",
            PASSWORD,
        ],
        obj=ScriptInfo(create_app=lambda: app),
    )
    assert result.exit_code == 0, result.output
    manager = session.scalar(select(Manager).where(Manager.email == "boss@northgate.example"))
    assert manager.password_hash.startswith("$argon2id$")
    assert [r.role for r in manager.roles] == ["admin"]
    short = CliRunner().invoke(
        cli,
        ["create-manager", "--email", "x@y.example", "--password", "short"],
        obj=ScriptInfo(create_app=lambda: app),
    )
    assert short.exit_code != 0 and "at least 12 characters" in short.output


def test_first_sign_in_enrols_an_authenticator_then_codes_are_needed(console, managers):
    admin = managers["admin"]
    first = console.post("/console/sign-in", {"email": admin.email, "password": PASSWORD})
    assert first.headers["Location"].endswith("/console/enrol")
    page = console.get("/console/enrol").get_data(as_text=True)
    assert 'src="data:image/svg+xml;base64,' in page and admin.totp_secret in page
    wrong = console.post("/console/enrol", {"code": "000000"})
    assert wrong.status_code == 401
    right = console.post("/console/enrol", {"code": pyotp.TOTP(admin.totp_secret).now()})
    assert right.headers["Location"].endswith("/console/")
    assert admin.totp_confirmed_at is not None
    assert "Print a noticeboard pack" in console.get("/console/").get_data(as_text=True)


def test_the_session_cookie_is_host_only_secure_and_http_only(console, managers):
    admin = managers["admin"]
    response = console.post("/console/sign-in", {"email": admin.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-frontline=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Path=/" in cookie and "Domain" not in cookie


def test_a_code_works_once(console, managers):
    admin = managers["admin"]
    # The very code that signed in, not a fresh now(): under load the clock can cross into the
    # next 30-second step between the two, and a new step's code is rightly accepted.
    used = console.sign_in(admin.email, admin.totp_secret)
    console.post("/console/sign-out", {}, token_from="/console/")
    again = console.post("/console/sign-in", {"email": admin.email, "password": PASSWORD})
    replay = console.post(again.headers["Location"], {"code": used})
    assert replay.status_code == 401  # the same code, already used


def test_wrong_password_and_unknown_email_get_the_same_answer(console, managers):
    wrong = console.post("/console/sign-in", {"email": "admin@northgate.example", "password": "x"})
    unknown = console.post("/console/sign-in", {"email": "nobody@x.example", "password": "x"})
    assert wrong.status_code == unknown.status_code == 401
    message = "That email and password do not match."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)


def test_five_failures_a_minute_lock_that_account_only(console, managers, monkeypatch):
    admin, lead = managers["admin"], managers["network_lead"]
    for _ in range(5):
        console.post("/console/sign-in", {"email": admin.email, "password": "wrong password!"})
    locked = console.post("/console/sign-in", {"email": admin.email, "password": PASSWORD})
    assert locked.status_code == 429 and "Wait" in locked.get_data(as_text=True)
    # Someone else is not locked out by an attack on the admin.
    other = console.post("/console/sign-in", {"email": lead.email, "password": PASSWORD})
    assert other.status_code == 302
    later(monkeypatch, dt.timedelta(seconds=61))
    back = console.post("/console/sign-in", {"email": admin.email, "password": PASSWORD})
    assert back.status_code == 302


def test_a_post_without_its_csrf_token_is_refused(console, managers, client, session):
    admin = managers["admin"]
    response = client.post(
        "/console/sign-in",
        data={"email": admin.email, "password": PASSWORD},
        base_url="https://frontline.example.org",
    )
    assert response.status_code == 400
    assert session.scalar(select(SignInThrottle)) is None  # nothing was counted
    assert "pending_manager" not in response.headers.get("Set-Cookie", "")


@pytest.mark.parametrize(
    ("idle", "expected"),
    [(dt.timedelta(minutes=29), 200), (dt.timedelta(minutes=31), 302)],
)
def test_thirty_idle_minutes_sign_you_out(console, managers, monkeypatch, idle, expected):
    admin = managers["admin"]
    console.sign_in(admin.email, admin.totp_secret)
    later(monkeypatch, idle)
    assert console.get("/console/").status_code == expected


def test_twelve_hours_is_the_most_a_session_lasts(console, managers, monkeypatch):
    admin = managers["admin"]
    console.sign_in(admin.email, admin.totp_secret)
    for step in range(1, 37):  # busy all day: a request every 20 minutes
        later(monkeypatch, dt.timedelta(minutes=20 * step))
        response = console.get("/console/")
        if 20 * step < 12 * 60:
            assert response.status_code == 200, step
    assert response.status_code == 302


def test_signing_in_is_audited(console, managers, session):
    admin = managers["admin"]
    console.sign_in(admin.email, admin.totp_secret)
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.manager_id == admin.id).order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in entries] == ["totp.enrol", "sign_in"]
    assert not any(re.search(r"\d{6}", str(e.detail)) for e in entries)  # no code, no number
