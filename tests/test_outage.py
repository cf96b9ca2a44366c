"""The database out of reach: every channel answers 503 at once, politely, and logs no detail."""

from __future__ import annotations

import logging
import time

import pytest
from sqlalchemy.exc import IntegrityError

from service import create_app
from service.config import Config, ConfigError, validate
from service.devtools.simulator import webhook_form
from tests.support.sms import DEMO_NUMBER, signed_post

# Nothing listens on port 1: the connection is refused at once, as with a stopped server.
STOPPED = "postgresql+psycopg://frontline@127.0.0.1:1/frontline"
SITE = "/kiosk/eastfield-depot/"


@pytest.fixture
def stopped(config: Config):
    """A test client for an app whose database is stopped."""
    application = create_app(config.replace(DATABASE_URL=STOPPED, QUEUE_IMMEDIATE=True))
    return application.test_client()


def test_a_webhook_answers_503_quickly_with_retry_after(stopped, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    form = webhook_form("+447400123456", DEMO_NUMBER, "JOIN CAREERS please", "")
    started = time.monotonic()
    response = signed_post(stopped, "/twilio/sms", form)
    seconds = time.monotonic() - started
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_data(as_text=True).startswith("Sorry, we cannot do that just now.")
    assert seconds < 3
    logged = caplog.text
    assert "database unreachable (OperationalError): 503 for /twilio/sms" in logged
    # No number, body or driver detail (which can name hosts and quote values) in the log.
    for secret in ("7400123456", "JOIN CAREERS", "127.0.0.1:1", "frontline@"):
        assert secret not in logged


def test_a_call_answers_503_too(stopped) -> None:
    # A menu step reads on the driver, outside SQLAlchemy's execution (service.db.DriverRead):
    # a refused connection is still the outage's 503, for Twilio to try again, not a 500.
    form = {"CallSid": "CA" + "1" * 32, "From": "+447400123456", "To": DEMO_NUMBER}
    for path in ("/twilio/voice", "/twilio/voice/step?s=x"):
        response = signed_post(stopped, path, form)
        assert response.status_code == 503, path
        assert response.headers["Retry-After"] == "30"


def test_a_forged_webhook_is_still_refused_before_the_database(stopped) -> None:
    form = webhook_form("+447400123456", DEMO_NUMBER, "JOIN CAREERS", "")
    assert signed_post(stopped, "/twilio/sms", form, token="not-the-token").status_code == 403


def test_the_kiosk_gets_a_message_it_can_show_in_its_language(stopped) -> None:
    response = stopped.post(
        f"{SITE}api/start",
        json={"action": "join", "network": 1, "phone": "07400 123456"},
        headers={"Accept-Language": "pl"},
    )
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["message"] and "Sorry" not in body["message"]  # Polish, not English


def test_pages_answer_503_too(stopped) -> None:
    for path in (SITE, "/o/northgate/n/careers"):
        response = stopped.get(path)
        assert response.status_code == 503, path
        assert response.headers["Retry-After"] == "30"


def test_other_database_errors_stay_500(config: Config) -> None:
    application = create_app(config)

    @application.get("/boom")
    def boom() -> str:
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    response = application.test_client().get("/boom")
    assert response.status_code == 500
    assert "Retry-After" not in response.headers


def test_the_outbox_lease_must_be_positive(config: Config) -> None:
    with pytest.raises(ConfigError, match="OUTBOX_LEASE_SECONDS"):
        validate(config.replace(OUTBOX_LEASE_SECONDS=0))
    assert validate(config.replace(OUTBOX_LEASE_SECONDS=1)).OUTBOX_LEASE_SECONDS == 1


@pytest.mark.parametrize(("flags", "periodic"), [([], True), (["--no-periodic"], False)])
def test_a_worker_can_leave_the_periodic_jobs_to_others(
    app, monkeypatch: pytest.MonkeyPatch, flags: list[str], periodic: bool
) -> None:
    import huey.consumer

    from service import extensions
    from service.cli import worker

    started: list[dict] = []

    class Consumer:
        def __init__(self, huey_instance, **options) -> None:
            started.append(options)

        def run(self) -> None:
            pass

    monkeypatch.setattr(huey.consumer, "Consumer", Consumer)
    monkeypatch.setattr(extensions.huey, "immediate", True)  # the command sets it off; undone after
    result = app.test_cli_runner().invoke(worker, ["--workers", "3", *flags])
    assert result.exit_code == 0, result.output
    assert started == [{"workers": 3, "periodic": periodic, "worker_type": "thread"}]
