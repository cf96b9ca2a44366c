"""GET /metrics: what the people on call watch, in Prometheus's format, for them alone."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import time_machine
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from service import health
from service.broadcasts.operations import create_broadcast, send_broadcast
from service.contacts.operations import join_network
from service.content.models import Network
from service.outbox.models import OutboundMessage
from tests.support import factories
from tests.support.outbox import MORNING
from tests.support.sms import Handset, signed_post
from tests.support.voice import Caller

BIN = Path(sys.executable).parent


def scrape(client, **environ) -> dict[tuple[str, tuple], float]:
    """Every sample of /metrics: (name, sorted labels) -> value."""
    response = client.get("/metrics", environ_base=environ)
    assert response.status_code == 200, response.status_code
    assert response.content_type.startswith("text/plain; version=")
    return parse(response.get_data(as_text=True))


def parse(text: str) -> dict[tuple[str, tuple], float]:
    """Samples of a text exposition."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(samples, name: str, **labels: str) -> float:
    """One sample's value, 0 when it is not there yet."""
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_only_the_allowed_addresses_may_read_it(app, client):
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    outside = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert outside.status_code == 404
    assert b"frontline_" not in outside.data


def test_behind_the_proxy_an_outsider_is_refused_whatever_it_claims(config, connection):
    from service import create_app
    from service.db import get_database

    proxied = create_app(config.replace(PROXY_FIX=True, METRICS_ALLOW="10.0.0.0/8"))
    try:
        client = proxied.test_client()
        # nginx overwrites X-Forwarded-For with the address it saw: the outsider's.
        seen = client.get(
            "/metrics",
            headers={"X-Forwarded-For": "203.0.113.9"},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        )
        assert seen.status_code == 404
        inside = client.get(
            "/metrics",
            headers={"X-Forwarded-For": "10.1.2.3"},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        )
        assert inside.status_code == 200
    finally:
        get_database(proxied).dispose()  # its own engine: closed, not garbage-collected


def test_a_setting_that_is_not_an_address_stops_start_up():
    from service.config import ConfigError, from_env

    with pytest.raises(ConfigError, match="METRICS_ALLOW"):
        from_env({"FRONTLINE_ENV": "development", "FRONTLINE_METRICS_ALLOW": "localhost"})


def test_webhooks_are_counted_by_channel_and_status(client, demo):
    before = scrape(client)
    Handset(client).send("HELP")
    signed_post(client, "/twilio/sms", Handset(client).form("HELP"), token="forged")
    Caller(client).dial_in()
    after = scrape(client)
    total = "frontline_requests_total"
    assert (
        value(after, total, channel="sms", status="200")
        - value(before, total, channel="sms", status="200")
        == 1
    )
    assert (
        value(after, total, channel="sms", status="403")
        - value(before, total, channel="sms", status="403")
        == 1
    )
    assert (
        value(after, total, channel="voice", status="200")
        - value(before, total, channel="voice", status="200")
        == 1
    )
    count = "frontline_request_duration_seconds_count"
    assert (
        value(after, count, channel="sms", status="200")
        - value(before, count, channel="sms", status="200")
        == 1
    )
    # /metrics and /healthz do not count themselves.
    assert not any(dict(labels).get("channel") == "health" for _, labels in after)


def test_during_a_broadcast(app, client, session, demo, monkeypatch):
    network = session.query(Network).filter_by(organisation_id=demo.id).first()
    people = [factories.create_contact(session, org=demo) for _ in range(5)]
    for person in people:
        join_network(session, person, network, channel="sms")
    broadcast = create_broadcast(
        session, demo, body="Depot closed today.", audience="networks", network_ids=[network.id]
    )
    send_broadcast(session, broadcast, app.config["FRONTLINE"], MORNING)
    rows = OutboundMessage.broadcast_id == broadcast.id
    # Written 15 minutes ago, and still not sent; one of them Twilio refused (30007: filtered).
    session.execute(
        update(OutboundMessage)
        .where(rows)
        .values(created_at=MORNING - dt.timedelta(minutes=15), not_before=None)
    )
    first = session.query(OutboundMessage).filter(rows).order_by(OutboundMessage.id).first()
    first.status, first.error_code, first.finished_at = "failed", 30007, MORNING
    session.flush()
    monkeypatch.setattr(health, "utcnow", lambda: MORNING)
    samples = scrape(client)
    pending = value(samples, "frontline_outbox_rows", status="pending")
    assert pending >= 4
    assert value(samples, "frontline_outbox_rows", status="failed") >= 1
    assert value(samples, "frontline_outbox_oldest_unsent_seconds") == 15 * 60
    assert value(samples, "frontline_broadcasts_in_progress") == 1
    assert value(samples, "frontline_twilio_errors_last_hour", code="30007") == 1
    assert value(samples, "frontline_queue_up") == 1
    assert value(samples, "frontline_database_up") == 1
    print("\n".join(client.get("/metrics").get_data(as_text=True).splitlines()[-40:]))
    # Texts held for quiet hours are not late.
    session.execute(
        update(OutboundMessage).where(rows).values(not_before=MORNING + dt.timedelta(hours=1))
    )
    assert value(scrape(client), "frontline_outbox_oldest_unsent_seconds") == 0


def test_throttles_hit_are_counted(client, session, demo):
    careers = session.query(Network).filter_by(organisation_id=demo.id, slug="careers").one()
    before = scrape(client)
    answers = [
        client.post(
            "/kiosk/eastfield-depot/api/start",
            json={"action": "join", "network": careers.id, "phone": "07400 112233"},
        ).status_code
        for _ in range(4)
    ]
    # Three codes an hour to one number; the fourth ask is refused, and counted.
    assert answers[:3] == [200, 200, 200] and answers[3] != 200
    after = scrape(client)
    kind = "frontline_throttled_total"
    assert value(after, kind, kind="verification") - value(before, kind, kind="verification") == 1


def test_speak_up_throttle_hits_are_counted(client, demo):
    from service.speakup.operations import NEW_CASES_PER_HOUR

    before = scrape(client)
    # The new-case limit counts per clock hour: hold the clock well inside one, however long
    # the suite has run before this test.
    with time_machine.travel(dt.datetime(2026, 11, 18, 10, 5, tzinfo=dt.UTC), tick=False):
        answers = [
            client.post(
                "/kiosk/eastfield-depot/api/speak-up", json={"text": f"Concern {n}", "lang": "en"}
            ).status_code
            for n in range(NEW_CASES_PER_HOUR + 2)
        ]
    assert answers.count(429) == 2
    after = scrape(client)
    kind = "frontline_throttled_total"
    assert value(after, kind, kind="speakup") - value(before, kind, kind="speakup") == 2


def test_no_label_carries_a_number_a_body_or_a_network_name(client, session, demo):
    phone = Handset(client, "+447400123456")
    for body in ("JOIN CARERS", "my manager shouts at me", "EVENTS"):
        phone.send(body)
    text = client.get("/metrics").get_data(as_text=True)
    names = [n.name for n in session.query(Network).filter_by(organisation_id=demo.id)]
    for secret in ("7400123456", "07400 123456", "CARERS", "manager shouts", *names):
        assert secret.lower() not in text.lower(), secret


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_gunicorn_processes_add_up_to_one_count(tmp_path):
    # Whichever process answers the scrape, it reports every process's requests.
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTLINE_")}
    env.update(
        FRONTLINE_ENV="development",
        FRONTLINE_INSTANCE_DIR=str(tmp_path / "instance"),
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
    )
    (tmp_path / "metrics").mkdir()
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run([BIN / "frontline", *command], env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        [
            BIN / "gunicorn",
            "--workers",
            "3",
            "--bind",
            f"127.0.0.1:{port}",
            "--config",
            "python:service.gunicorn_conf",
            "service:create_app()",
        ],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).close()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.3)
        for _ in range(12):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10).close()
        seen = set()
        for _ in range(6):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
                samples = parse(r.read().decode())
            seen.add(value(samples, "frontline_requests_total", channel="public", status="200"))
        assert seen == {12.0}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
