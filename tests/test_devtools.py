"""The phone simulator and `frontline sms`: real signed webhooks, only when DEV_TOOLS is on."""

from __future__ import annotations

from service import create_app
from service.cli import cli
from service.demo import load_demo


def test_the_simulator_is_absent_without_dev_tools(config, connection) -> None:
    app = create_app(config.replace(DEV_TOOLS=False))
    with app.test_client() as client:
        assert client.get("/dev/phone").status_code == 404
        assert client.post("/dev/phone/sms", json={}).status_code == 404


def test_the_simulator_page_lists_the_numbers(client, session) -> None:
    load_demo(session)
    page = client.get("/dev/phone").get_data(as_text=True)
    assert "0113 496 0000" in page and "/twilio/sms" in page


def test_the_simulator_texts_through_the_signed_webhook(client, session) -> None:
    load_demo(session)
    response = client.post(
        "/dev/phone/sms", json={"from": "07400 123456", "to": "+441134960000", "body": "HELP"}
    )
    data = response.get_json()
    assert data["status"] == 200
    assert data["replies"][0].startswith("Welcome to Northgate City Council")
    assert "NETWORKS" in data["replies"][1]
    bad = client.post("/dev/phone/sms", json={"from": "banana", "body": "HELP"})
    assert bad.status_code == 400 and "not a phone number" in bad.get_json()["error"]


def test_frontline_sms_prints_the_reply(app, session) -> None:
    load_demo(session)
    result = app.test_cli_runner().invoke(cli, ["sms", "+447400123456", "JOIN CARERS"])
    assert result.exit_code == 0, result.output
    assert "You have joined Carers Network" in result.output
