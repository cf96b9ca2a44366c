"""Every answer is hardened (CSP, no framing, nosniff, HSTS) and no request body is unbounded."""

from __future__ import annotations

import io
import json
import re

import pytest
from werkzeug.routing import Rule

from tests.support.console import Console, new_manager
from tests.support.settings import PUBLIC_URL

# A value for every URL argument any route takes; a new argument name fails the walk below.
SAMPLES = {
    "site_slug": "eastfield-depot",
    "slug": "northgate",
    "network_slug": "minds",
    "kind": "network",
    "lang": "pl",
    "stamp": "20260105T180000Z",
    "sheet": 1,
}
STATIC_FILES = {"console.static": "console.js", "kiosk_assets.static": "kiosk.js"}
HARDENED = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
    "Strict-Transport-Security",
)
INLINE = re.compile(r"<(style|script)\b([^>]*)>", re.IGNORECASE)


def _path(app, rule: Rule, network_id: int) -> str:
    values: dict[str, object] = {}
    for name in rule.arguments:
        if name == "filename":
            values[name] = STATIC_FILES.get(rule.endpoint, "missing.css")
        elif name == "kind" and "export" in rule.rule:
            values[name] = "json"
        elif name == "slug" and rule.endpoint == "kiosk.network":
            values[name] = "minds"
        elif name.endswith("_id"):
            values[name] = network_id
        else:
            assert name in SAMPLES, f"{rule.rule}: give the walk a sample {name}"
            values[name] = SAMPLES[name]
    with app.test_request_context(base_url=PUBLIC_URL):
        from flask import url_for

        return url_for(rule.endpoint, **values)


def _check(response, where: str) -> None:
    headers = response.headers
    policy = headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in policy, where
    assert "default-src 'self'" in policy and "object-src 'none'" in policy, where
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, where
    assert headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Strict-Transport-Security", "").startswith("max-age="), where
    for name in HARDENED:
        assert len(headers.getlist(name)) == 1, (where, name)  # set once, never added twice
    if response.mimetype == "text/html":
        # Inline styles and scripts run only with this answer's nonce; JSON data blocks are
        # not run at all.
        nonce = re.search(r"'nonce-([^']+)'", policy)
        for tag, attributes in INLINE.findall(response.get_data(as_text=True)):
            if "src=" in attributes or "application/json" in attributes:
                continue
            assert nonce and f'nonce="{nonce.group(1)}"' in attributes, (where, tag)


def _walk(app, console: Console, network_id: int) -> int:
    answers = 0
    for rule in app.url_map.iter_rules():
        path = _path(app, rule, network_id)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = console.client.open(path, method=method, base_url=PUBLIC_URL)
            _check(response, f"{method} {path} -> {response.status_code}")
            response.close()  # static files are streamed from an open file
            answers += 1
    return answers


def test_every_route_answers_with_the_security_headers(app, client, demo, session):
    from service.content.models import Network

    network = session.query(Network).filter_by(slug="minds").one()
    admin = new_manager(session, demo, "walker@northgate.example", ("admin", None, None))
    # Committed (to the test's savepoint): a request that rolls back must not undo it.
    session.commit()
    console = Console(client)
    anonymous = _walk(app, console, network.id)
    console.sign_in(admin.email, admin.totp_secret)
    signed_in = _walk(app, console, network.id)
    # Every route, each of its methods, once as a stranger and once as a signed-in admin.
    assert anonymous == signed_in > 60
    # A 404 for a path no route has gets the same headers.
    _check(client.get("/no/such/page", base_url=PUBLIC_URL), "404")


def test_a_page_that_sets_its_own_referrer_policy_keeps_it(client, demo):
    # The kiosk and the public pages' answers send no referrer; the console's, its origin.
    kiosk = client.get("/kiosk/eastfield-depot/", base_url=PUBLIC_URL)
    assert kiosk.headers.getlist("Referrer-Policy") == ["no-referrer"]
    _check(kiosk, "kiosk")
    sign_in = client.get("/console/sign-in", base_url=PUBLIC_URL)
    assert sign_in.headers.getlist("Referrer-Policy") == ["same-origin"]
    _check(sign_in, "console")


def test_plain_http_deployments_send_no_hsts(app, config, demo):
    from service import create_app
    from service.db import get_database

    plain = create_app(config.replace(PUBLIC_URL="http://127.0.0.1:5000"))
    try:
        response = plain.test_client().get("/kiosk/eastfield-depot/")
    finally:
        # Its own engine: closed here, not left for the garbage collector (ResourceWarning).
        get_database(plain).dispose()
    assert "Strict-Transport-Security" not in response.headers
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def _json(size: int) -> bytes:
    return json.dumps({"lang": "en", "text": "x" * size}).encode()


@pytest.mark.parametrize(
    "path",
    [
        "/kiosk/eastfield-depot/api/speak-up",
        "/kiosk/eastfield-depot/api/start",
        "/o/northgate/api/check",
    ],
)
def test_the_json_apis_refuse_a_body_over_32_kb(client, demo, path):
    too_big = client.post(path, data=_json(40_000), content_type="application/json")
    assert too_big.status_code == 413
    assert too_big.is_json and too_big.get_json() == {"error": "request too large"}
    # The same endpoint still reads a body of ordinary size (whatever it then answers).
    ordinary = client.post(path, data=_json(1_000), content_type="application/json")
    assert ordinary.status_code != 413


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/twilio/sms", "a Twilio webhook"),
        ("/twilio/voice/recording", "a Twilio webhook"),
        ("/console/sign-in", "a console form"),
        ("/kiosk/eastfield-depot/reset", "a kiosk post that reads no body"),
        ("/dev/phone/sms", "the developer tools"),
    ],
)
def test_every_other_endpoint_refuses_a_body_over_a_megabyte(client, demo, path, kind):
    body = {"Body": "x" * 1_100_000, "From": "+447400123456"}
    response = client.post(path, data=body, base_url=PUBLIC_URL)
    assert response.status_code == 413, kind


class _CountingStream(io.BytesIO):
    """A request body that remembers how much of it the service read."""

    taken = 0

    def read(self, size: int | None = -1) -> bytes:
        piece = super().read(size)
        self.taken += len(piece)
        return piece

    def readinto(self, buffer) -> int:
        count = super().readinto(buffer)
        self.taken += count
        return count


def test_a_chunked_body_without_a_length_is_read_no_further_than_the_limit(client, demo):
    body = _CountingStream(_json(1_000_000))
    # What a server hands on for "Transfer-Encoding: chunked": a stream that ends, no length.
    response = client.post(
        "/kiosk/eastfield-depot/api/speak-up",
        input_stream=body,
        content_type="application/json",
        environ_overrides={"wsgi.input_terminated": True, "CONTENT_LENGTH": ""},
    )
    assert response.status_code in {400, 413}  # cut short: not a concern, never a case
    assert body.taken <= 32_768 + 8192  # the limit, and at most one read buffer beyond
