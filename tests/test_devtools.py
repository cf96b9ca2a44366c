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


def test_messages_the_service_sends_arrive_on_the_simulated_handset(client, session, app) -> None:
    from service.outbox.operations import send_to_contact
    from tests.support import factories
    from tests.support.outbox import send_locally

    org = factories.create_organisation(session)
    contact = factories.create_contact(session, org=org, phone="+447400123456")
    outbox_id = send_to_contact(
        session, contact.id, org.id, "See you Friday", kind="self", dedupe_key="dev"
    )
    session.commit()
    assert client.get("/dev/phone/inbox?number=07400123456").get_json()["messages"] == []
    config = app.config["FRONTLINE"].replace(SMS_SEND_RATE=0, QUIET_HOURS="")
    send_locally(app, outbox_id, config)
    inbox = client.get("/dev/phone/inbox?number=07400123456").get_json()["messages"]
    assert inbox == [{"id": outbox_id, "body": "See you Friday"}]
    assert client.get(f"/dev/phone/inbox?number=07400123456&after={outbox_id}").get_json() == {
        "messages": []
    }


def test_the_simulator_can_call_the_phone_line(client, session) -> None:
    load_demo(session)
    start = client.post(
        "/dev/phone/call", json={"from": "07400 123456", "to": "+441134960000"}
    ).get_json()
    assert start["status"] == 200 and start["gather"].startswith("/twilio/voice/step")
    assert start["say"][0] == {"text": "Welcome to Northgate City Council.", "lang": "en-GB"}
    assert {"text": "For English, press 1.", "lang": "en-GB"} in start["say"]
    menu = client.post(
        "/dev/phone/call",
        json={
            "from": "07400 123456",
            "to": "+441134960000",
            "url": start["gather"],
            "digits": "1",
            "call_sid": start["call_sid"],
        },
    ).get_json()
    assert any("For groups, press 1." in s["text"] for s in menu["say"])
    refused = client.post("/dev/phone/call", json={"from": "07400 123456", "url": "/dev/phone"})
    assert refused.status_code == 400
