"""New call-backs and speak-up cases reach a person by e-mail, saying nothing about who or what."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from service.callbacks.models import CallbackRequest
from service.content.models import Network
from service.managers.models import Manager
from service.tasks import alert_new_callbacks, alert_new_speakup_cases
from tests.support.console import new_manager
from tests.support.fake_twilio import config_at_fake
from tests.support.settings import PUBLIC_URL
from tests.support.sms import DEMO_NUMBER, Handset

config = config_at_fake(TWILIO_FROM_NUMBER=DEMO_NUMBER)

WORKER = "+447400123456"
CONCERN = "My supervisor at the depot shouts at the night crew"


@pytest.fixture
def people(session, demo):
    """A Minds Matter lead, a support team member, an admin, a guardian, another network's lead."""
    minds = session.scalar(select(Network.id).where(Network.slug == "minds"))
    women = session.scalar(select(Network.id).where(Network.slug == "women"))
    made = {
        "lead": new_manager(session, demo, "lead@northgate.example", ("network_lead", minds, None)),
        "team": new_manager(session, demo, "team@northgate.example", ("support_team", None, None)),
        "admin": new_manager(session, demo, "admin@northgate.example", ("admin", None, None)),
        "guardian": new_manager(session, demo, "guard@northgate.example", ("guardian", None, None)),
        "women": new_manager(
            session, demo, "women@northgate.example", ("network_lead", women, None)
        ),
    }
    session.flush()
    return made


def with_smtp(app, port: int | None):
    """Point the running app at the local SMTP server (None: alerts off)."""
    url = f"smtp://127.0.0.1:{port}?from=alerts@northgate.example" if port else ""
    app.config["FRONTLINE"] = app.config["FRONTLINE"].replace(SMTP_URL=url)


def run(task, app) -> None:
    """A periodic job, run as the worker runs it."""
    with app.app_context():
        task.call_local()


def whole(message) -> str:
    """Everything a reader of the mail could see: headers and body."""
    return message.as_string() + message.get_content()


def never_in(text: str) -> None:
    """No number (in any form), no concern, no network or its keyword."""
    for forbidden in (
        WORKER,
        "07400 123456",
        "07400123456",
        "123456",
        "Minds",
        "MINDS",
        "mental",
        CONCERN,
        "supervisor",
        "shouts",
    ):
        assert forbidden not in text, forbidden
    assert not re.search(r"\d{6,}", text.split("Message-ID")[0] + text.split("\n\n", 1)[-1])


def test_a_new_call_back_emails_its_handlers_with_a_link_and_nothing_more(
    app, client, session, demo, people, smtp
):
    inbox, port = smtp
    with_smtp(app, port)
    Handset(client, WORKER).send("HELLO")
    Handset(client, WORKER).send("CALL ME MINDS")
    run(alert_new_callbacks, app)

    # The network's lead and the support team are told; the admin (someone nearer handles it),
    # the guardian and another network's lead are not.
    recipients = sorted(r for rcpts, _m in inbox.messages for r in rcpts)
    assert recipients == ["lead@northgate.example", "team@northgate.example"]
    [mail] = inbox.to("lead@northgate.example")
    assert mail["Subject"] == "A call-back is waiting"
    assert mail["From"] == "Frontline Connect <alerts@northgate.example>"
    body = mail.get_content()
    assert "Someone has asked to be called back" in body
    assert f"{PUBLIC_URL}/console/callbacks" in body
    never_in(whole(mail))

    # Once: the next minute's run finds nothing new to tell.
    run(alert_new_callbacks, app)
    assert len(inbox.messages) == 2
    row = session.scalar(select(CallbackRequest))
    assert row.alerted_at is not None


def test_an_organisation_wide_request_goes_to_the_support_team(
    app, client, session, demo, people, smtp
):
    inbox, port = smtp
    with_smtp(app, port)
    Handset(client, WORKER).send("HELLO")
    Handset(client, WORKER).send("CALL ME")
    Handset(client, "+447400222333").send("HELLO")
    Handset(client, "+447400222333").send("CALL ME")
    run(alert_new_callbacks, app)
    # Two requests, one e-mail that counts them; a lead handles neither.
    [mail] = inbox.to("team@northgate.example")
    assert mail["Subject"] == "2 call-backs are waiting"
    assert "2 people have asked to be called back" in mail.get_content()
    assert inbox.to("lead@northgate.example") == [] and inbox.to("admin@northgate.example") == []
    never_in(whole(mail))
    assert "222333" not in whole(mail)


def test_with_nobody_nearer_the_admins_are_told(app, client, session, demo, smtp):
    inbox, port = smtp
    with_smtp(app, port)
    new_manager(session, demo, "admin@northgate.example", ("admin", None, None))
    session.flush()
    Handset(client, WORKER).send("HELLO")
    Handset(client, WORKER).send("CALL ME MINDS")
    run(alert_new_callbacks, app)
    [mail] = inbox.to("admin@northgate.example")
    never_in(whole(mail))


def test_with_no_smtp_url_nothing_is_sent(app, client, session, demo, people, smtp):
    inbox, _port = smtp
    with_smtp(app, None)
    Handset(client, WORKER).send("HELLO")
    Handset(client, WORKER).send("CALL ME MINDS")
    run(alert_new_callbacks, app)
    assert inbox.messages == []
    # Left untold, so turning alerts on the same day still tells someone.
    assert session.scalar(select(CallbackRequest.alerted_at)) is None


def test_a_disabled_manager_is_not_emailed(app, client, session, demo, people, smtp):
    inbox, port = smtp
    with_smtp(app, port)
    people["team"].disabled_at = dt.datetime.now(dt.UTC)
    session.flush()
    Handset(client, WORKER).send("HELLO")
    Handset(client, WORKER).send("CALL ME MINDS")
    run(alert_new_callbacks, app)
    assert [r for rcpts, _m in inbox.messages for r in rcpts] == ["lead@northgate.example"]


def _at_london(hour: int) -> dt.datetime:
    # The suite's day, at that hour in London (Europe/London, whatever the season).
    from zoneinfo import ZoneInfo

    london = dt.datetime.now(dt.UTC).astimezone(ZoneInfo("Europe/London"))
    return london.replace(hour=hour, minute=0, second=0, microsecond=0).astimezone(dt.UTC)


def test_the_guardian_hears_of_new_speak_up_cases_once_a_day_never_what_they_say(
    app, client, session, demo, people, smtp, monkeypatch
):
    inbox, port = smtp
    with_smtp(app, port)
    Handset(client, WORKER).send(f"SPEAKUP {CONCERN}")

    # Not as the case arrives: the hourly job stays quiet until 08:00 London time.
    monkeypatch.setattr("service.tasks.utcnow", lambda: _at_london(11))
    run(alert_new_speakup_cases, app)
    assert inbox.messages == []

    monkeypatch.setattr("service.tasks.utcnow", lambda: _at_london(8))
    run(alert_new_speakup_cases, app)
    [(rcpts, mail)] = inbox.messages
    assert rcpts == ["guard@northgate.example"]
    assert mail["Subject"] == "A new speak-up case is waiting"
    body = mail.get_content()
    assert "a worker has raised a new concern" in body
    assert f"{PUBLIC_URL}/console/speak-up" in body
    never_in(whole(mail))

    # The next day, with nothing new, nobody is e-mailed again.
    run(alert_new_speakup_cases, app)
    assert len(inbox.messages) == 1


def test_a_server_that_refuses_is_tried_again(app, client, session, demo, people, smtp):
    """The send task raises on a refusal, which is what makes huey retry it."""
    import smtplib

    from service.tasks import send_alert

    inbox, port = smtp
    with_smtp(app, port)
    inbox_handle = inbox.handle_DATA

    async def refuse(server, session_, envelope):
        return "451 Try again later"

    inbox.handle_DATA = refuse
    lead = session.scalar(select(Manager).where(Manager.email == "lead@northgate.example"))
    with app.app_context(), pytest.raises(smtplib.SMTPDataError):
        send_alert.call_local(lead.id, "A call-back is waiting", "body")
    assert send_alert.retries == 5
    inbox.handle_DATA = inbox_handle
    with app.app_context():
        send_alert.call_local(lead.id, "A call-back is waiting", "body")
    assert len(inbox.to("lead@northgate.example")) == 1


def test_with_smtp_set_the_queues_say_who_is_told(app, console, managers):
    app.config["FRONTLINE"] = app.config["FRONTLINE"].replace(SMTP_URL="smtp://127.0.0.1:2525")
    team = managers["support_team"]
    console.sign_in(team.email, team.totp_secret)
    page = console.get("/console/callbacks").get_data(as_text=True)
    assert "New call-backs are e-mailed" in page and "alerts are off" not in page
