"""Speak-up guesses sent all at once on PostgreSQL: no more are checked than the limit allows."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete

from service.crypto import Vault
from service.db import Database
from service.organisations.models import Organisation
from service.speakup import codes
from service.speakup import operations as speakup
from service.speakup.models import SpeakUpThrottle
from tests.support import factories
from tests.support.settings import TEST_DATA_KEY
from tests.support.speakup import NOW

pytestmark = pytest.mark.postgres  # concurrency is tested on PostgreSQL
PARALLEL = 12


@pytest.fixture
def database(engine, app):
    """Sessions on their own connections, committing for real (cleaned up afterwards)."""
    db = Database(engine.url.render_as_string(hide_password=False), Vault(TEST_DATA_KEY))
    with db.session() as session:
        org_id = factories.create_organisation(session, numbers=("+441134960777",)).id
    yield db, org_id
    with db.session() as session:
        session.execute(delete(SpeakUpThrottle))
        session.delete(session.get_one(Organisation, org_id))
    db.dispose()


@pytest.mark.parametrize("target", ["a case's locator", "no case's locator"])
def test_parallel_guesses_from_one_sender_check_no_more_than_the_limit(
    database, monkeypatch, target
):
    # Attack (issue 16, item 6): send many CASE guesses at the same moment. Before, each
    # request read the sender's count, saw it under 5, and went on to verify: all 12 were
    # checked. Now the count is taken first, in one INSERT ... ON CONFLICT DO UPDATE ...
    # WHERE count < 5 RETURNING, and only the requests that got a slot verify anything.
    db, org_id = database
    with db.session() as session:
        raised = speakup.raise_concern(
            session,
            session.get_one(Organisation, org_id),
            text="concern",
            channel="sms",
            sender="owner",
            now=NOW,
        )
        locator = codes.locator(raised.code)
    if target == "no case's locator":
        locator = next(c * 3 for c in "0123" if c * 3 != locator)
    checked: list[int] = []
    lock = threading.Lock()
    real = codes.matches

    def counting(code: str, stored: str) -> bool:
        with lock:
            checked.append(1)
        return real(code, stored)

    monkeypatch.setattr(codes, "matches", counting)
    start = threading.Barrier(PARALLEL)
    outcomes: list[str] = []

    def guess() -> None:
        start.wait()
        with db.session() as session:
            try:
                speakup.open_case(
                    session,
                    session.get_one(Organisation, org_id),
                    locator + "0" * codes.SECRET_LENGTH,
                    sender="one guesser",
                    now=NOW,
                )
                outcome = "opened"
            except speakup.TooManyTries:
                outcome = "refused"
            except speakup.WrongCode:
                outcome = "wrong"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=guess) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["refused"] * (PARALLEL - 5) + ["wrong"] * 5
    assert len(checked) == speakup.GUESSES_PER_MINUTE
