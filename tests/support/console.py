"""A browser-like client for the console (HTTPS, cookies, CSRF tokens) and managers per role."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pyotp
import pytest
from sqlalchemy import select

from service.content.models import Network
from service.db import utcnow
from service.demo import series_start
from service.demo.content import EVENTS, ORGANISATION
from service.managers.models import Manager
from service.managers.operations import create_manager
from service.organisations.models import Site
from tests.support.settings import PUBLIC_URL

PASSWORD = "correct horse battery"


class Console:
    """The console as a manager's browser sees it: every request over HTTPS, forms with tokens."""

    def __init__(self, client) -> None:
        self.client = client

    def get(self, path: str, **kwargs):
        """GET over HTTPS."""
        return self.client.get(path, base_url=PUBLIC_URL, **kwargs)

    def token(self, path: str) -> str:
        """The CSRF token of the form on a page."""
        html = self.get(path).get_data(as_text=True)
        found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
        assert found, html[:500]
        return found.group(1)

    def post(self, path: str, data: dict, *, token_from: str | None = None, **kwargs):
        """POST a form with the token from its page (or from another page)."""
        data = {"csrf_token": self.token(token_from or path), **data}
        # A browser sends the page it posts from (the console's Referrer-Policy is same-origin).
        referer = PUBLIC_URL + (token_from or path)
        return self.client.post(
            path, data=data, base_url=PUBLIC_URL, headers={"Referer": referer}, **kwargs
        )

    def sign_in(self, email: str, secret: str, password: str = PASSWORD) -> str:
        """Password, then a current code; asserts it worked and returns the code it used."""
        first = self.post("/console/sign-in", {"email": email, "password": password})
        assert first.status_code == 302, first.get_data(as_text=True)[:300]
        step = first.headers["Location"]
        code = pyotp.TOTP(secret).now()
        done = self.post(step, {"code": code})
        assert done.status_code == 302 and done.headers["Location"].endswith("/console/"), (
            done.status_code,
            done.get_data(as_text=True)[:300],
        )
        return code


@pytest.fixture
def console(client) -> Console:
    """A console browser."""
    return Console(client)


def new_manager(session, org, email: str, role: tuple, **fields) -> Manager:
    """A manager with the tests' password and one role: (role, network id, site id)."""
    return create_manager(session, org, email=email, password=PASSWORD, roles=[role], **fields)


@pytest.fixture
def managers(session, demo):
    """One manager per role: admin, network lead (Minds Matter), site manager (Eastfield),
    guardian, support team; keyed by role."""
    minds = session.scalar(select(Network.id).where(Network.slug == "minds"))
    eastfield = session.scalar(select(Site.id).where(Site.slug == "eastfield-depot"))
    specs = {
        "admin": ("admin", None, None),
        "network_lead": ("network_lead", minds, None),
        "site_manager": ("site_manager", None, eastfield),
        "guardian": ("guardian", None, None),
        "support_team": ("support_team", None, None),
    }
    made = {}
    for name, role in specs.items():
        made[name] = new_manager(session, demo, f"{name}@northgate.example", role)
    session.flush()
    return made


def page_text(response) -> str:
    """The words on a page, as a reader sees them (no markup, styles or scripts)."""
    html = re.sub(r"(?s)<(style|script)[^>]*>.*?</\1>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def demo_start(key: str):
    """Where the demo's series `key` starts if the demo is loaded now, in London time (a test
    that needs the very date its demo was loaded with reads the event instead)."""
    spec = next(spec for spec in EVENTS if spec["key"] == key)
    return series_start(spec["start"], spec["rrule"], ZoneInfo(ORGANISATION["timezone"]), utcnow())


def event_form(**changes):
    """The console's event form as the demo's Cuppa and chat fills it, with changes."""
    values = {
        "title": "Cuppa and chat",
        "network": "",
        "site": "0",
        "place": "Canteen, Eastfield Depot",
        "date": demo_start("cuppa").date().isoformat(),
        "start": "12:30",
        "end": "13:30",
        "repeat": "weekly",
        "days": ["FR"],
        "interval": "1",
        "nth": "1",
        "weekday": "MO",
        "until": "",
        "dial_in_number": "0113 496 0101",  # stored as +441134960101, as the demo has it
        "dial_in_pin": "204060",
        "capacity": "",
        "description": "Tea, biscuits and a friendly ear. Drop in for five minutes or the hour.",
    }
    values.update(changes)
    return values
