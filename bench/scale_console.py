"""The console and privacy figures of `make bench-scale`, measured through the app itself.

An admin of the largest organisation (the demo council) signs in with a password and a code,
as a person would; each page is then timed from request to full response, the median of
three. Send's fan-out is captured rather than queued: bench/scale.py runs it in a process of
its own, as a worker would, and times it there.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bench import scale_data, sms_webhook

PASSWORD = "bench scale password"
REPEATS = 3


@contextmanager
def service_app(env: dict[str, str]) -> Iterator:
    """The app as gunicorn would build it from env, with fan-outs captured, not queued."""
    from service import create_app
    from service.db import get_database

    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        app = create_app()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    database = get_database(app)
    captured: list[int] = []
    database.fan_out = captured.extend
    database.sessionmaker = sessionmaker(
        database.engine, expire_on_commit=False, info=database.session_info()
    )
    with app.app_context():
        yield app
    database.dispose()


class Browser:
    """The console as a manager's browser sees it: cookies and CSRF tokens."""

    def __init__(self, app) -> None:
        self.client = app.test_client()
        self.base = sms_webhook.PUBLIC_URL

    def get(self, path: str, **kwargs):
        """GET, asserting it answered."""
        response = self.client.get(path, base_url=self.base, **kwargs)
        assert response.status_code == 200, (path, response.status_code)
        return response

    def token(self, path: str) -> str:
        """The CSRF token of the form on a page."""
        html = self.get(path).get_data(as_text=True)
        found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
        assert found, html[:300]
        return found.group(1)

    def post(self, path: str, data: dict, *, token_from: str | None = None):
        """POST a form with its page's token."""
        data = {"csrf_token": self.token(token_from or path), **data}
        return self.client.post(
            path,
            data=data,
            base_url=self.base,
            headers={"Referer": self.base + (token_from or path)},
        )


def median_ms(action: Callable[[], object]) -> float:
    """The median of REPEATS timings, in milliseconds."""
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def signed_in(app, email: str) -> tuple[Browser, int]:
    """A browser signed in (password, then code) as a new admin of the demo council; its id."""
    from service.db import get_database
    from service.demo.content import ORGANISATION
    from service.managers.operations import create_manager
    from service.organisations.models import Organisation

    with get_database(app).session() as session:
        org = session.scalars(
            select(Organisation).where(Organisation.slug == ORGANISATION["slug"])
        ).one()
        manager = create_manager(
            session, org, email=email, password=PASSWORD, roles=[("admin", None, None)]
        )
        secret, org_id = manager.totp_secret or "", org.id
    browser = Browser(app)
    first = browser.post("/console/sign-in", {"email": email, "password": PASSWORD})
    assert first.status_code == 302, first.get_data(as_text=True)[:300]
    step = first.headers["Location"].replace(browser.base, "")
    done = browser.post(step, {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302, done.get_data(as_text=True)[:300]
    return browser, org_id


def measure_console(env: dict[str, str], scale: float, run: int) -> dict[str, float]:
    """Preview, Send, the reach page and CSVs, a subject-access export, FORGET ME."""
    from service.broadcasts.models import Broadcast
    from service.contacts.operations import find_contact
    from service.db import get_database

    figures: dict[str, float] = {}
    with service_app(env) as app:
        database = get_database(app)
        browser, org_id = signed_in(app, f"bench-{run}@northgate.example")

        # The reach dashboard over the two years generated, and its two CSVs.
        today = dt.date.today()
        months = {
            "first": f"{today.year - 2}-{today.month:02d}",
            "last": f"{today.year}-{today.month:02d}",
        }
        figures["reach ms"] = median_ms(lambda: browser.get("/console/reach", query_string=months))
        figures["reach csv ms"] = median_ms(
            lambda: browser.get("/console/reach.csv", query_string=months)
        )
        figures["people csv ms"] = median_ms(
            lambda: browser.get("/console/reach/people.csv", query_string=months)
        )

        # One generated member's subject-access export, and another's FORGET ME.
        plan = scale_data.Plan.at(scale)
        largest = int(plan.contacts * scale_data.ORG_SHARES[0])
        exported = scale_data.number_of((run * 7919) % largest)
        with database.session() as session:
            contact = find_contact(session, org_id, exported)
            assert contact is not None, "the exported member is not there"
            contact_id = contact.id
        token = browser.token("/console/privacy")
        figures["export ms"] = median_ms(
            lambda: browser.client.post(
                f"/console/privacy/{contact_id}/export.json",
                data={"csrf_token": token},
                base_url=browser.base,
                headers={"Referer": browser.base + "/console/privacy"},
            )
        )
        texts = sms_webhook.Texts()
        texts.serial = run * 10**7 + 9 * 10**6  # past the webhook figures' sids

        def text(number: str, body: str) -> None:
            path, headers, form = texts(number, body)
            response = browser.client.post(path, data=form, headers=headers, base_url=browser.base)
            assert response.status_code == 200

        erasing = []
        for offset in range(1, REPEATS + 1):  # three members, each their own FORGET ME
            forgotten = scale_data.number_of((run * 7919 + offset) % largest)
            text(forgotten, "FORGET ME")
            started = time.perf_counter()
            text(forgotten, "YES")
            erasing.append((time.perf_counter() - started) * 1000)
            with database.session() as session:
                assert find_contact(session, org_id, forgotten) is None, "FORGET ME erased nothing"
        figures["forget ms"] = statistics.median(erasing)

        # A broadcast to the whole organisation: its preview, then Send.
        made = browser.post(
            "/console/broadcasts/new",
            {
                "body": "The depot canteen is closed on Monday for repairs.",
                "audience": "organisation",
                "site": "0",
            },
        )
        assert made.status_code == 302, made.get_data(as_text=True)[:500]
        view = made.headers["Location"].replace(browser.base, "")
        broadcast_id = int(re.search(r"/broadcasts/(\d+)", view).group(1))
        figures["preview ms"] = median_ms(lambda: browser.get(view))
        token = browser.token(view)
        started = time.perf_counter()
        sent = browser.client.post(
            f"/console/broadcasts/{broadcast_id}/send",
            data={"csrf_token": token},
            base_url=browser.base,
            headers={"Referer": browser.base + view},
        )
        figures["send ms"] = (time.perf_counter() - started) * 1000
        assert sent.status_code == 302, sent.status_code
        with database.session() as session:
            assert session.get_one(Broadcast, broadcast_id).status == "sending"
        figures["broadcast id"] = float(broadcast_id)

    return figures
