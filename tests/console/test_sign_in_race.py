"""Parallel code guesses on PostgreSQL: the failure counter is one atomic statement.

Each request runs in its own thread on its own connection and commits for real, as a
gunicorn deployment would; the rows made here are deleted afterwards.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pyotp
import pytest
from sqlalchemy import delete, select

from service import create_app
from service.db import get_database
from service.managers.models import Manager
from service.managers.operations import FREE_CODE_TRIES, create_manager
from service.organisations.models import Organisation
from tests.support.console import PASSWORD
from tests.support.factories import create_organisation
from tests.support.settings import PUBLIC_URL

GUESSES = 24

pytestmark = pytest.mark.postgres  # row locks are PostgreSQL's


def _token(client, path: str) -> str:
    html = client.get(path, base_url=PUBLIC_URL).get_data(as_text=True)
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert found
    return found.group(1)


def _post(client, path: str, data: dict):
    data = {"csrf_token": _token(client, path), **data}
    return client.post(path, data=data, base_url=PUBLIC_URL, headers={"Referer": PUBLIC_URL + path})


def test_parallel_code_guesses_get_only_the_free_tries_checked(config, engine):
    app = create_app(config)
    database = get_database(app)
    database.queue = lambda ids: None
    email = f"race-{uuid.uuid4().hex[:8]}@northgate.example"
    with app.app_context(), database.session() as session:
        org = create_organisation(session, slug=f"race-{uuid.uuid4().hex[:8]}", numbers=())
        manager = create_manager(session, org, email=email, password=PASSWORD)
        manager.totp_confirmed_at = manager.created_at
        session.commit()
        org_id, manager_id = org.id, manager.id
        # Every guess must be wrong: leave out the codes valid around now.
        totp = pyotp.TOTP(manager.totp_secret or "")
        now = dt.datetime.now(dt.UTC)
        valid = {totp.at(now + dt.timedelta(seconds=30 * step)) for step in range(-2, 3)}
    guesses = [code for code in (f"{n:06d}" for n in range(100)) if code not in valid][:GUESSES]
    try:
        # 24 browsers, each past the password step, each with its code form's token.
        browsers = []
        for _ in range(GUESSES):
            client = app.test_client()
            first = _post(client, "/console/sign-in", {"email": email, "password": PASSWORD})
            assert first.status_code == 302
            browsers.append((client, _token(client, "/console/sign-in/code")))
        start = threading.Barrier(GUESSES)

        def guess(number: int) -> int:
            client, token = browsers[number]
            start.wait()
            return client.post(
                "/console/sign-in/code",
                data={"csrf_token": token, "code": guesses[number]},
                base_url=PUBLIC_URL,
                headers={"Referer": PUBLIC_URL + "/console/sign-in/code"},
            ).status_code

        with ThreadPoolExecutor(GUESSES) as pool:
            statuses = list(pool.map(guess, range(GUESSES)))
        # Checked (and wrong) is 401; refused unchecked is 429. Before: 7 of 24 were checked.
        assert statuses.count(401) == FREE_CODE_TRIES
        assert statuses.count(429) == GUESSES - FREE_CODE_TRIES
        with database.session() as session:
            failures = session.scalar(select(Manager.totp_failures).where(Manager.id == manager_id))
        assert failures == FREE_CODE_TRIES
    finally:
        with database.session() as session:
            session.execute(delete(Organisation).where(Organisation.id == org_id))
            session.commit()
        database.dispose()
