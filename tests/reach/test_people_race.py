"""A person's first texts of a month, arriving at once on PostgreSQL, count them once.

Each text is a signed webhook answered by its own request, session and connection, as behind
gunicorn. Without the compare-and-set on last_seen_at (UPDATE ... WHERE last_seen_at < the
month's start) every request would read "not yet counted this month" and count the person.
"""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from service.db import get_database, utcnow
from service.reach.models import PERSON, ReachTally
from service.reach.operations import add_months
from tests.support.sms import Handset, signed_post

TEXTS = 8

pytestmark = pytest.mark.postgres  # parallel requests need PostgreSQL


def test_texts_at_once_count_one_person(committed_app) -> None:
    phone = Handset(committed_app.test_client(), "+447400333444")
    # The demo's months are London's: at 23:59 UTC on a summer month's last day it is next month.
    now = utcnow().astimezone(ZoneInfo("Europe/London"))
    last_month = add_months(now.date().replace(day=1), -1)
    with time_machine.travel(dt.datetime(last_month.year, last_month.month, 12, 12, tzinfo=dt.UTC)):
        assert phone.send("HELP").status == 200  # known since last month
    forms = [phone.form(body) for body in ("EVENTS", "HELP", "NETWORKS", "TALK") * 2][:TEXTS]
    start = threading.Barrier(TEXTS)
    statuses: list[int] = []

    def text(form: dict[str, str]) -> None:
        client = committed_app.test_client()
        start.wait()
        statuses.append(signed_post(client, "/twilio/sms", form).status_code)

    threads = [threading.Thread(target=text, args=(form,)) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * TEXTS
    with committed_app.app_context(), get_database(committed_app).session() as session:
        counted = session.execute(
            select(ReachTally.month, ReachTally.count).where(ReachTally.measure == PERSON)
        ).all()
    assert sorted((month.month, count) for month, count in counted) == sorted(
        [(last_month.month, 1), (now.month, 1)]
    )
