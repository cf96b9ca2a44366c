"""Someone who holds a manager's password, or is guessing emails, against the console sign-in."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
from sqlalchemy import select

from service import hashing
from service.audit.models import AuditEntry
from service.console import auth
from service.console import sign_in as sign_in_area
from service.db import utcnow
from service.managers import operations
from tests.support.console import PASSWORD, Console
from tests.support.settings import PUBLIC_URL

WRONG = "000000"


class Clock:
    """The moment the console sees, moved on by the test (never the real time of day)."""

    def __init__(self, monkeypatch) -> None:
        self.now = utcnow().replace(microsecond=0)
        monkeypatch.setattr(sign_in_area, "utcnow", lambda: self.now)
        monkeypatch.setattr(auth, "utcnow", lambda: self.now)

    def advance(self, seconds: float) -> None:
        """Move the clock on."""
        self.now += dt.timedelta(seconds=seconds)

    def code(self, secret: str, steps_on: int = 0) -> str:
        """The authenticator's code at this moment (or a later step)."""
        return pyotp.TOTP(secret).at(self.now + dt.timedelta(seconds=30 * steps_on))


def _wait(response) -> int:
    found = re.search(r"Wait (\d+) seconds", response.get_data(as_text=True))
    assert found, response.get_data(as_text=True)[:300]
    return int(found.group(1))


def _to_code_step(console: Console, email: str) -> str:
    first = console.post("/console/sign-in", {"email": email, "password": PASSWORD})
    assert first.status_code == 302
    return first.headers["Location"]


def test_wrong_codes_back_off_exponentially_per_account(console, managers, monkeypatch, client):
    admin = managers["admin"]
    clock = Clock(monkeypatch)
    step = _to_code_step(console, admin.email)
    # The first five wrong codes are each checked (a mistyped code is common).
    assert [console.post(step, {"code": WRONG}).status_code for _ in range(5)] == [401] * 5
    waits = []
    for _ in range(3):
        refused = console.post(step, {"code": WRONG})
        assert refused.status_code == 429
        waits.append(_wait(refused))
        clock.advance(waits[-1])
        # One try when the wait is over; wrong again, and the next wait is twice as long.
        assert console.post(step, {"code": WRONG}).status_code == 401
    # Before: 5 codes a minute forever (7,200 a day); now 30 s, then 60 s, then 120 s...
    assert waits == [31, 61, 121]
    assert console.post(step, {"code": WRONG}).status_code == 429
    # The attack on the admin's codes leaves every other manager's alone.
    other = Console(client.application.test_client())
    lead = managers["network_lead"]
    other.post(_to_code_step(other, lead.email), {"code": WRONG})
    assert lead.totp_failures == 1
    # Once the wait is over the right code signs in, and the count starts again (the password
    # step lasts 5 minutes, so it is given again first).
    clock.advance(241)
    step = _to_code_step(console, admin.email)
    right = console.post(step, {"code": clock.code(admin.totp_secret)})
    assert right.status_code == 302 and right.headers["Location"].endswith("/console/")
    assert admin.totp_failures == 0 and admin.totp_blocked_until is None


def test_failures_and_lockouts_are_audited_without_the_code(console, managers, session):
    admin = managers["admin"]
    console.post("/console/sign-in", {"email": admin.email, "password": "not the password"})
    step = _to_code_step(console, admin.email)
    for _ in range(5):
        console.post(step, {"code": "123456"})
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.manager_id == admin.id).order_by(AuditEntry.id)
    ).all()
    actions = [(e.action, e.detail.get("step")) for e in entries]
    assert actions == [("sign_in.failed", "password")] + [("sign_in.failed", "code")] * 5 + [
        ("sign_in.locked", "code")
    ]
    assert entries[-1].detail["seconds"] == 30
    assert not any("123456" in str(e.detail) for e in entries)


def _page(response, email: str) -> str:
    """The page with what legitimately differs taken out: the email typed, token and nonce."""
    html = response.get_data(as_text=True).replace(email, "EMAIL")
    html = re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "TOKEN", html)
    return re.sub(r'nonce="[^"]+"', "NONCE", html)


def test_known_and_unknown_emails_answer_alike_throttle_included(console, managers, monkeypatch):
    verified: list[str] = []
    real = hashing.hasher()

    class Counting:
        """The real hasher, counting each (slow) password check."""

        def verify(self, hashed: str, password: str) -> bool:
            verified.append(password)
            return real.verify(hashed, password)

        def __getattr__(self, name: str):
            return getattr(real, name)

    monkeypatch.setattr(hashing, "_hasher", Counting())
    Clock(monkeypatch)  # both emails tried at the same moment: the waits shown are comparable
    answers = {}
    for email in (managers["admin"].email, "nobody@northgate.example"):
        tries = [
            console.post("/console/sign-in", {"email": email, "password": "wrong password!"})
            for _ in range(7)
        ]
        answers[email] = [(r.status_code, _page(r, email)) for r in tries]
    known, unknown = answers.values()
    # Before: the known email was locked out after 5 (429) and the unknown never was (401).
    assert [status for status, _ in known] == [401] * 5 + [429] * 2
    assert known == unknown
    # Every answer, throttled or not, known or not, cost exactly one argon2 check.
    assert len(verified) == 14


def test_codes_are_compared_in_constant_time(console, managers, monkeypatch):
    compared: list[tuple[str, str]] = []
    real = operations.hmac.compare_digest

    def spy(a, b):
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(operations.hmac, "compare_digest", spy)
    admin = managers["admin"]
    step = _to_code_step(console, admin.email)
    assert console.post(step, {"code": WRONG}).status_code == 401
    # The codes of this step and the steps either side, each compared in full (hmac's
    # constant-time comparison, not ==, which stops at the first wrong digit).
    ours = [(a, b) for a, b in compared if b == WRONG]
    assert len(ours) == 3 and all(re.fullmatch(r"\d{6}", a) for a, _ in ours)


def _cookie(client) -> str:
    return client.get_cookie("__Host-frontline", domain="frontline.example.org").value


def test_signing_out_ends_the_session_on_the_server(console, managers, app, session):
    admin = managers["admin"]
    console.sign_in(admin.email, admin.totp_secret)
    copied = _cookie(console.client)
    thief = app.test_client()
    thief.set_cookie("__Host-frontline", copied, domain="frontline.example.org")
    assert thief.get("/console/", base_url=PUBLIC_URL).status_code == 200  # the copy works...
    console.post("/console/sign-out", {}, token_from="/console/")
    # ...until the manager signs out: then it is refused, where before it still worked.
    after = thief.get("/console/", base_url=PUBLIC_URL)
    assert after.status_code == 302 and after.headers["Location"].endswith("/console/sign-in")
    assert (
        session.scalars(select(AuditEntry.action).where(AuditEntry.manager_id == admin.id)).all()[
            -1
        ]
        == "sign_out"
    )
    # Signing in again (the next step's code: each code works once) gives a working session.
    step = _to_code_step(console, admin.email)
    console.post(step, {"code": pyotp.TOTP(admin.totp_secret).at(utcnow(), counter_offset=1)})
    assert console.get("/console/").status_code == 200
