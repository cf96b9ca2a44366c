"""Behind a TLS proxy, the signature is checked against the URL Twilio called, not ours."""

from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from tests.support.settings import TEST_AUTH_TOKEN
from tests.support.sms import Handset


@pytest.fixture
def config(config):
    """Trust one proxy's X-Forwarded-* headers."""
    return config.replace(PROXY_FIX=True, PUBLIC_URL="http://ignored.invalid")


def _post(client, form, signed_url: str, forwarded_host: str):
    signature = RequestValidator(TEST_AUTH_TOKEN).compute_signature(signed_url, form)
    return client.post(
        "/twilio/sms",
        data=form,
        base_url="http://127.0.0.1:8000",
        headers={
            "X-Twilio-Signature": signature,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": forwarded_host,
        },
    )


def test_the_forwarded_url_is_the_one_checked(client, demo) -> None:
    form = Handset(client).form("HELP")
    ok = _post(client, form, "https://connect.example.org/twilio/sms", "connect.example.org")
    assert ok.status_code == 200
    form = Handset(client).form("HELP")
    wrong = _post(client, form, "https://connect.example.org/twilio/sms", "other.example.org")
    assert wrong.status_code == 403
