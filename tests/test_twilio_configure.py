"""`frontline twilio-configure` against the fake Twilio server."""

from __future__ import annotations

import pytest

from service.cli import cli
from service.organisations.operations import create_organisation
from tests.support.fake_twilio import Answer, config_at_fake
from tests.support.settings import PUBLIC_URL

NORTH = "+441134960001"
NORTH_SECOND = "+441134960002"
SOUTH = "+441134960003"
WANTED = {
    "SmsUrl": PUBLIC_URL + "/twilio/sms",
    "SmsMethod": "POST",
    "VoiceUrl": PUBLIC_URL + "/twilio/voice",
    "VoiceMethod": "POST",
    "StatusCallback": PUBLIC_URL + "/twilio/voice/status",
    "StatusCallbackMethod": "POST",
}


config = config_at_fake()


@pytest.fixture
def organisations(session) -> None:
    create_organisation(session, slug="north", name="North", numbers=(NORTH, NORTH_SECOND))
    create_organisation(session, slug="south", name="South", numbers=(SOUTH,))
    session.flush()


def run(app, *args: str):
    return app.test_cli_runner().invoke(cli, ["twilio-configure", *args])


def test_every_number_gets_the_public_urls(app, fake, organisations) -> None:
    sids = {e164: fake.add_number(e164) for e164 in (NORTH, NORTH_SECOND, SOUTH)}
    result = run(app)
    assert result.exit_code == 0, result.output
    assert sorted(u["sid"] for u in fake.number_updates) == sorted(sids.values())
    for update in fake.number_updates:
        assert {k: v for k, v in update.items() if k != "sid"} == WANTED
    assert f"north {NORTH}: updated sms_url, voice_url, status_callback" in result.output
    assert f"south {SOUTH}: updated" in result.output


def test_numbers_already_pointed_here_are_left_alone(app, fake, organisations) -> None:
    done = {"sms_url": WANTED["SmsUrl"], "voice_url": WANTED["VoiceUrl"]}
    fake.add_number(NORTH, **done, status_callback=WANTED["StatusCallback"])
    fake.add_number(NORTH_SECOND, **done)
    result = run(app, "--org", "north")
    assert result.exit_code == 0, result.output
    assert f"north {NORTH}: already set" in result.output
    assert f"north {NORTH_SECOND}: updated status_callback" in result.output
    assert [u["StatusCallback"] for u in fake.number_updates] == [WANTED["StatusCallback"]]
    assert SOUTH not in result.output


def test_a_number_missing_from_the_account_fails_after_trying_all(app, fake, organisations) -> None:
    fake.add_number(NORTH)
    fake.add_number(SOUTH)
    result = run(app)
    assert result.exit_code == 1
    assert f"north {NORTH_SECOND}: FAILED: not on this Twilio account" in result.output
    assert {u["sid"] for u in fake.number_updates} == {
        sid for sid, n in fake.numbers.items() if n["phone_number"] in (NORTH, SOUTH)
    }
    assert "1 of 3 numbers not configured" in result.output


def test_twilio_refusing_an_update_is_reported(app, fake, organisations) -> None:
    fake.add_number(SOUTH)
    fake.script.append(Answer(status=400, code=21402))
    result = run(app, "--org", "south")
    assert result.exit_code == 1
    assert f"south {SOUTH}: FAILED: Twilio answered 400 (code 21402)" in result.output


def test_unknown_organisation(app, fake, organisations) -> None:
    result = run(app, "--org", "nowhere")
    assert result.exit_code == 1
    assert "no organisation 'nowhere'" in result.output
    assert fake.requests == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"TWILIO_ACCOUNT_SID": ""}, "FRONTLINE_TWILIO_ACCOUNT_SID"),
        ({"TWILIO_AUTH_TOKEN": ""}, "FRONTLINE_TWILIO_AUTH_TOKEN"),
        ({"PUBLIC_URL": "http://frontline.example.org"}, "must be an https:// URL"),
    ],
)
def test_refuses_without_credentials_or_https(config, fake, changes, message) -> None:
    from service import create_app
    from service.db import get_database

    # with_dev_secrets would fill a missing auth token: build the app, then take it away.
    app = create_app(config)
    app.config["FRONTLINE"] = app.config["FRONTLINE"].replace(**changes)
    try:
        with app.app_context():
            result = run(app)
    finally:
        get_database(app).dispose()
    assert result.exit_code == 1
    assert message in result.output
    assert "nothing was changed at Twilio" in result.output
    assert fake.requests == 0


def test_plain_http_is_allowed_on_this_machine_only(app, fake, organisations) -> None:
    from service.organisations.twilio_setup import check_ready

    check_ready(app.config["FRONTLINE"].replace(PUBLIC_URL="http://127.0.0.1:5000"))
    fake.add_number(SOUTH)
    app.config["FRONTLINE"] = app.config["FRONTLINE"].replace(PUBLIC_URL="http://localhost:5000")
    result = run(app, "--org", "south")
    assert result.exit_code == 0, result.output
    assert fake.number_updates[0]["SmsUrl"] == "http://localhost:5000/twilio/sms"
