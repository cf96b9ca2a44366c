"""FRONTLINE_SMTP_URL read carefully, and a login sent only over TLS, to a real local server."""

from __future__ import annotations

import re
import ssl

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from service.alerts.smtp import BadSmtpUrl, SmtpServer, build_message, parse_smtp_url, send
from service.config import ConfigError, from_env
from tests.support.certificates import self_signed
from tests.support.smtp import Inbox, free_port


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://relay.internal", ("relay.internal", 25, False, False, "", "")),
        ("smtp://relay.internal:2525", ("relay.internal", 2525, False, False, "", "")),
        (
            "smtp://alerts:s3cret@mail.example.org?starttls=true",
            ("mail.example.org", 587, False, True, "alerts", "s3cret"),
        ),
        (
            "smtps://alerts%40example.org:p%40ss%3Aw%2Ford@mail.example.org",
            ("mail.example.org", 465, True, False, "alerts@example.org", "p@ss:w/ord"),
        ),
        ("SMTPS://u:pw-9f2k@[::1]:1465", ("::1", 1465, True, False, "u", "pw-9f2k")),
        ("smtp://u:pw-77x1@localhost:1025", ("localhost", 1025, False, False, "u", "pw-77x1")),
    ],
)
def test_urls_are_read_with_their_defaults_and_encoded_credentials(url, expected):
    server = parse_smtp_url(url, default_sender_host="frontline.example.org")
    got = (server.host, server.port, server.tls, server.starttls, server.username, server.password)
    assert got == expected
    assert server.sender == "frontline-connect@frontline.example.org"
    # The password never shows in a log line or a traceback.
    if server.password:
        assert server.password not in repr(server)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://mail.example.org", "use smtp:// or smtps://"),
        ("mail.example.org:25", "use smtp:// or smtps://"),
        ("smtp://", "no host"),
        ("smtp://mail.example.org:99999", "port"),
        ("smtp://mail.example.org:abc", "port"),
        ("smtp://mail.example.org/inbox", "no path"),
        ("smtps://mail.example.org?starttls=true", "TLS already"),
        ("smtp://mail.example.org?starttls=maybe", "true or false"),
        ("smtp://mail.example.org?tls=1", "unknown option tls"),
        ("smtp://mail.example.org?starttls=1&starttls=0", "once"),
        ("smtp://u:p@mail.example.org", "a login needs smtps:// or ?starttls=true"),
        ("smtp://:p@mail.example.org?starttls=1", "needs a user name"),
        ("smtp://mail.example.org?from=a@b.org,c@d.org", "one plain e-mail address"),
        ("smtp://mail.example.org?from=nobody", "one plain e-mail address"),
    ],
)
def test_bad_or_unsafe_urls_are_refused_with_a_reason(url, says):
    with pytest.raises(BadSmtpUrl, match=re.escape(says)):
        parse_smtp_url(url)


def test_a_bad_url_stops_start_up_without_repeating_the_password():
    environ = {
        "FRONTLINE_ENV": "development",
        "FRONTLINE_SMTP_URL": "smtp://alerts:hunter2hunter2@mail.example.org:587",
    }
    with pytest.raises(ConfigError) as refused:
        from_env(environ)
    assert "FRONTLINE_SMTP_URL" in str(refused.value)
    assert "hunter2" not in str(refused.value)


def _certificate(tmp_path):
    """A self-signed certificate for 127.0.0.1, and a client context that trusts only it."""
    cert_file, key_file = self_signed(tmp_path, "127.0.0.1", ("cert.pem", "key.pem"))
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert_file, key_file)
    return server_context, ssl.create_default_context(cafile=str(cert_file))


class Logins:
    """aiosmtpd's authenticator: one account, and every attempt remembered."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, bool]] = []

    def __call__(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        user, password = auth_data.login.decode(), auth_data.password.decode()
        encrypted = server.transport.get_extra_info("ssl_object") is not None
        self.seen.append((user, password, encrypted))
        return AuthResult(success=(user, password) == ("alerts@example.org", "p@ss:w/ord"))


@pytest.mark.parametrize("mode", ["starttls", "smtps"])
def test_the_login_and_the_mail_travel_only_inside_tls(tmp_path, mode):
    server_context, client_context = _certificate(tmp_path)
    inbox, logins, port = Inbox(), Logins(), free_port()
    # STARTTLS: plain first, TLS required before anything else. smtps: TLS from the first byte.
    tls = (
        {"tls_context": server_context, "require_starttls": True, "auth_require_tls": True}
        if mode == "starttls"
        # aiosmtpd offers AUTH only after its own STARTTLS unless told the line is safe.
        else {"ssl_context": server_context, "auth_require_tls": False}
    )
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=logins, **tls)
    controller.start()
    try:
        scheme = "smtp" if mode == "starttls" else "smtps"
        query = "&starttls=true" if mode == "starttls" else ""
        url = (
            f"{scheme}://alerts%40example.org:p%40ss%3Aw%2Ford@127.0.0.1:{port}"
            f"?from=alerts@northgate.example{query}"
        )
        server = parse_smtp_url(url)
        message = build_message(server, "team@northgate.example", "A call-back is waiting", "x")
        send(server, message, context=client_context)
    finally:
        controller.stop()
    assert logins.seen == [("alerts@example.org", "p@ss:w/ord", True)]
    [(rcpts, mail)] = inbox.messages
    assert rcpts == ["team@northgate.example"] and mail["Subject"] == "A call-back is waiting"


def test_a_server_whose_certificate_is_not_trusted_gets_no_password(tmp_path):
    server_context, _trusting = _certificate(tmp_path)
    inbox, logins, port = Inbox(), Logins(), free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=logins,
        auth_require_tls=True,
        tls_context=server_context,
    )
    controller.start()
    try:
        server = SmtpServer(
            host="127.0.0.1",
            port=port,
            tls=False,
            starttls=True,
            sender="alerts@northgate.example",
            username="alerts@example.org",
            password="p@ss:w/ord",
        )
        with pytest.raises(ssl.SSLError):
            # The system's trust store does not know this certificate: no login is attempted.
            send(server, build_message(server, "team@northgate.example", "s", "x"))
    finally:
        controller.stop()
    assert logins.seen == [] and inbox.messages == []
