"""One reminder, through the outbox, to those asked who have not answered; never after close."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.audit.models import AuditEntry
from service.db import utcnow
from service.organisations.models import Organisation
from service.outbox.models import OutboundMessage
from service.surveys import operations as surveys
from service.surveys import taking
from service.surveys.reminders import AlreadyReminded, send_reminder
from tests.support.console import page_text
from tests.support.fake_twilio import config_at_fake
from tests.support.outbox import SENDER, Worker
from tests.support.sms import Handset
from tests.support.surveys import network_survey

config = config_at_fake(TWILIO_FROM_NUMBER=SENDER, SMS_SEND_RATE=0, MAX_DAILY_TEXTS=1000)

ANSWERED, HALF_WAY, SILENT, DISCREET, POLISH, OUTSIDER = (f"+4474001120{n:02d}" for n in range(6))
MEMBERS = (ANSWERED, HALF_WAY, SILENT, DISCREET, POLISH)


@pytest.fixture
def worker(app, queued) -> Worker:
    """The worker loop, run by hand."""
    return Worker(app, queued)


def _members(session, demo, *, sensitive: bool = True):
    members = [(n, "pl" if n == POLISH else "en", n == DISCREET) for n in MEMBERS]
    survey = network_survey(session, demo, members, outsider=OUTSIDER, sensitive=sensitive)
    session.commit()
    return survey


def _reminded(session) -> list[OutboundMessage]:
    return session.scalars(
        select(OutboundMessage).where(OutboundMessage.dedupe_key.endswith(":reminder"))
    ).all()


def test_the_reminder_reaches_only_those_who_have_not_finished_in_their_words(
    session, demo, client, app, fake, worker
):
    survey = _members(session, demo)
    for text in ("PULSE", "Bus", "4", "YES", "skip"):
        Handset(client, ANSWERED).send(text)
    for text in ("PULSE", "Car"):
        Handset(client, HALF_WAY).send(text)

    assert send_reminder(session, survey, utcnow()) == 4
    session.commit()
    with pytest.raises(AlreadyReminded):  # one reminder a survey
        send_reminder(session, survey, utcnow())

    # Quiet hours, as for the invitations: nothing at 22:30, everything at 08:00.
    wait = worker.at_night(utcnow())
    worker.run()
    assert fake.sent == []
    worker.advance(wait)
    worker.run()
    assert fake.to(ANSWERED) == [] and fake.to(OUTSIDER) == []
    assert (
        fake.to(SILENT)
        == fake.to(HALF_WAY)
        == ["A reminder: Mental Health Peer Support survey is still open. Text PULSE to answer."]
    )
    # A discreet member of a sensitive network is not told its name, nor the survey's title.
    assert fake.to(DISCREET) == [
        "A reminder: a short survey is still open for you. Text PULSE to answer."
    ]
    (polish,) = fake.to(POLISH)
    assert "Ankieta grupy wsparcia" in polish and "PULSE" in polish
    assert not polish.startswith("A reminder")

    # YES to the reminder starts the survey, as YES to the invitation does.
    reply = Handset(client, SILENT).send("yes")
    assert reply.texts[-1].startswith("1 of 4:")


def test_no_reminder_can_be_sent_once_the_survey_has_closed(session, demo):
    survey = _members(session, demo, sensitive=False)
    surveys.close_survey(session, survey, utcnow())
    with pytest.raises(surveys.SurveyClosed):
        send_reminder(session, survey, utcnow())
    # Not even by hand: the key that told who had answered is gone.
    with pytest.raises(surveys.SurveyClosed):
        taking.token_maker(session, survey)
    assert _reminded(session) == []


def test_the_console_sends_the_reminder_once_and_audits_it(console, managers, session, client):
    admin = managers["admin"]
    console.sign_in(admin.email, admin.totp_secret)
    org = session.get(Organisation, admin.organisation_id)
    survey = _members(session, org, sensitive=False)
    page = f"/console/surveys/{survey.id}"
    assert "Send reminder" in page_text(console.get(page))
    sent = console.post(f"{page}/remind", {}, token_from=page)
    assert sent.status_code == 302
    shown = page_text(console.get(page))
    assert "Reminder queued for 5 people." in shown
    assert "Send reminder" not in shown and "Reminder sent" in shown
    assert len(_reminded(session)) == 5
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "survey.remind")).all()
    assert [(e.manager_id, e.detail["reminded"]) for e in entries] == [(admin.id, 5)]

    # A second press (an old tab) sends nothing more.
    console.post(f"{page}/remind", {}, token_from=page)
    assert "one reminder has been sent already" in page_text(console.get(page))
    assert len(_reminded(session)) == 5

    # After close there is no button, and a forged post is refused: nobody can be told apart.
    console.post(f"{page}/close", {}, token_from=page)
    session.expire_all()
    survey.reminded_at = None  # as if it had never been sent
    session.commit()
    assert "Send reminder" not in page_text(console.get(page))
    console.post(f"{page}/remind", {}, token_from=page)
    assert "The survey is closed" in page_text(console.get(page))
    assert len(_reminded(session)) == 5
