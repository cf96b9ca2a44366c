"""Parallel guesses at a phone line code, on PostgreSQL: five tries are five, however they race.

Each guess is a signed webhook answered by its own request, session and database connection, as
behind gunicorn. Without the one-statement claim (UPDATE ... WHERE attempts < 5 RETURNING) the
guesses read the same count and every one of them is checked.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from service.crypto import vault_of
from service.db import get_database
from service.verification.models import CallerCheck
from tests.support.sms import signed_post
from tests.support.voice import Caller

GUESSES = 12


pytestmark = pytest.mark.postgres  # parallel requests need PostgreSQL


def test_twelve_parallel_guesses_get_five_tries(committed_app) -> None:
    call = Caller(committed_app.test_client(), "+447400222333")
    call.dial_in()
    call.press("1")
    call.press("7")
    call.press("1")
    action = call.gather().get("action")
    with committed_app.app_context(), get_database(committed_app).session() as session:
        check = session.scalars(select(CallerCheck)).one()
        vault = vault_of(session)
        # Codes that are certainly wrong, so every answer is known in advance.
        wrong = [
            f"{n:06d}"
            for n in range(GUESSES + 1)
            if vault.blind_index(f"caller code {check.id} {n:06d}") != check.code_hash
        ][:GUESSES]
    start = threading.Barrier(GUESSES)
    heard: list[str] = []

    def guess(code: str) -> None:
        client = committed_app.test_client()
        start.wait()
        response = signed_post(client, action, call._form(Digits=code))
        heard.append(response.get_data(as_text=True))

    threads = [threading.Thread(target=guess, args=(code,)) for code in wrong]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with committed_app.app_context(), get_database(committed_app).session() as session:
        check = session.scalars(select(CallerCheck)).one()
        attempts, verified = check.attempts, check.verified_at
    not_right = [h for h in heard if "That code is not right." in h]
    refused = [h for h in heard if "Sorry, that code can no longer be used." in h]
    # Five tries: four told "not right", the fifth and every later one that the code is dead.
    assert (attempts, verified) == (5, None)
    assert (len(not_right), len(refused)) == (4, GUESSES - 4)
