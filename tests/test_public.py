"""The public page at / shows the organisation's networks, this week and support lines."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from service.demo import load_demo
from service.public import views
from tests.support import factories


@pytest.fixture
def next_monday(monkeypatch) -> None:
    """The page's clock at 09:00 next Monday: the whole week ahead, Wednesday's hour included.

    On a real Wednesday after 12:00, the next hour is seven days off, outside "this week".
    """
    zone = ZoneInfo("Europe/London")
    today = dt.datetime.now(zone).replace(hour=9, minute=0, second=0, microsecond=0)
    monday = today + dt.timedelta(days=7 - today.weekday())
    monkeypatch.setattr(views, "utcnow", lambda: monday.astimezone(dt.UTC))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_home_shows_the_demo_organisation(client, session, next_monday) -> None:
    load_demo(session)
    response = client.get("/")
    assert response.status_code == 200
    page = _text(response.get_data(as_text=True))
    assert "Northgate City Council" in page
    assert "Careers Network" in page and "JOIN CAREERS" in page
    assert "0113 496 0000" in page
    assert page.index("Samaritans") < page.index("Employee Assistance Programme")
    assert "116 123" in page
    # Wednesday's hour is on every week.
    assert re.search(r"Wednesday \d+ \w+, 11:00 — How are you feeling hour", page)


def test_home_speaks_the_language_asked_for(client, session, next_monday) -> None:
    load_demo(session)
    html = client.get("/?lang=ur").get_data(as_text=True)
    assert 'lang="ur" dir="rtl"' in html
    polish = client.get("/?lang=pl").get_data(as_text=True)
    assert 'lang="pl" dir="ltr"' in polish
    assert "środa" in polish.lower()  # Wednesday, in Polish, from the date formatter


def test_unknown_organisation_is_404(client, session) -> None:
    factories.create_organisation(session)
    assert client.get("/o/nowhere/").status_code == 404


def test_an_empty_database_says_how_to_load_the_demo(client) -> None:
    assert "frontline demo" in client.get("/").get_data(as_text=True)
