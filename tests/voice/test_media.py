"""Recordings on the phone line: Somali prompts, a lead's recorded event, the news first."""

from __future__ import annotations

import datetime as dt

import pytest

from service.content.notices import create_announcement
from service.content.operations import create_event
from tests.support.voice import Caller


@pytest.fixture
def config(config):
    """Recorded prompts hosted for languages with no voice."""
    return config.replace(VOICE_RECORDINGS_URL="https://media.example.org/prompts")


def test_somali_callers_hear_the_recorded_prompts(client, demo) -> None:
    call = Caller(client)
    call.dial_in()
    twiml = call.press("7")
    plays = [p.text for p in twiml.iter("Play")]
    assert "https://media.example.org/prompts/so/main_menu.mp3" in plays


def test_a_recorded_event_and_the_news_are_played(client, demo, session) -> None:
    now = dt.datetime.now(dt.UTC)
    create_event(
        session,
        demo,
        title="Toolbox talk",
        starts_at=now + dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=2),
        audio_url="https://media.example.org/toolbox.mp3",
    )
    create_announcement(
        session,
        demo,
        body="Depot closed Monday",
        publish_from=now,
        audio_url="https://media.example.org/news.mp3",
    )
    call = Caller(client)
    call.dial_in()
    twiml = call.press("1")
    assert "https://media.example.org/news.mp3" in [p.text for p in twiml.iter("Play")]
    call.press("2")
    listing = call.spoken()
    number = next(p.split(":")[0].strip()[-1] for p in listing.split(". ") if "Toolbox" in p)
    twiml = call.press(number)
    assert [p.text for p in twiml.iter("Play")] == ["https://media.example.org/toolbox.mp3"]
