"""Invitations go through the outbox: quiet hours, each member's language, and discretion."""

from __future__ import annotations

import pytest

from service.db import utcnow
from service.surveys.invitations import send_invitations
from tests.support.fake_twilio import config_at_fake
from tests.support.outbox import SENDER, Worker
from tests.support.sms import Handset
from tests.support.surveys import network_survey

config = config_at_fake(TWILIO_FROM_NUMBER=SENDER, SMS_SEND_RATE=0, MAX_DAILY_TEXTS=1000)


@pytest.fixture
def worker(app, queued) -> Worker:
    """The worker loop, run by hand."""
    return Worker(app, queued)


OPEN_NUMBER, POLISH_NUMBER, DISCREET_NUMBER, OUTSIDER = (
    "+447400111001",
    "+447400111002",
    "+447400111003",
    "+447400111004",
)


def test_invitations_wait_for_morning_in_each_language_and_name_nothing_to_the_discreet(
    session, demo, fake, worker, app
):
    survey = network_survey(
        session,
        demo,
        [(OPEN_NUMBER, "en", False), (POLISH_NUMBER, "pl", False), (DISCREET_NUMBER, "en", True)],
        outsider=OUTSIDER,
    )
    # Sent at the suite's moment, while the survey is open (the worker's own clock starts on
    # a fixed morning, which is past the closing date when the suite runs at other moments).
    assert send_invitations(session, survey, utcnow()) == 3
    assert send_invitations(session, survey, utcnow()) == 0  # once each
    session.commit()

    # 22:30 in London on the day the survey opened: quiet hours until 08:00.
    wait = worker.at_night(utcnow())
    worker.run()
    assert fake.sent == []
    assert sorted(worker.later.values()) == [wait] * 3
    worker.advance(wait)
    worker.run()
    assert fake.to(OPEN_NUMBER) == [
        "Mental Health Peer Support survey: Four quick questions. Your answers are anonymous. "
        "Text PULSE to answer."
    ]
    assert fake.to(POLISH_NUMBER) == [
        "Ankieta grupy wsparcia: Four quick questions. Your answers are anonymous. "
        "Wyślij PULSE, aby odpowiedzieć."
    ]
    assert fake.to(DISCREET_NUMBER) == ["A short survey is open for you. Text PULSE to answer."]
    assert fake.to(OUTSIDER) == []

    # YES in reply to the invitation starts the survey, without the title for the discreet.
    reply = Handset(app.test_client(), DISCREET_NUMBER).send("yes")
    assert reply.texts[0].startswith("A short survey. Anonymous:")
    assert "Mental" not in reply.text
    assert reply.texts[1].startswith("1 of 4:")
