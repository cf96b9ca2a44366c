"""The SMTP server alerts go through, from FRONTLINE_SMTP_URL, and sending one message.

smtp://host[:port]                    plain SMTP (port 25), for a relay on a trusted network
smtp://user:pass@host:587?starttls=true   STARTTLS upgrade before any password is sent
smtps://user:pass@host[:465]          TLS from the first byte (port 465)
?from=alerts@example.org              the sender (default: frontline-connect@<host>)
User names and passwords are percent-encoded in the URL (an "@" in a password is %40).
"""

from __future__ import annotations

import ipaddress
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
TIMEOUT_SECONDS = 20
SENDER_NAME = "Frontline Connect"


class BadSmtpUrl(ValueError):
    """The SMTP URL cannot describe a server to send through; the message says why."""


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to send: never printed whole (its password stays out of repr)."""

    host: str
    port: int
    tls: bool  # smtps: TLS from the start
    starttls: bool
    sender: str
    username: str = ""
    password: str = ""

    def __repr__(self) -> str:
        # The password never reaches a log line or a traceback's locals through repr().
        login = f"{self.username}:***@" if self.username else ""
        return f"SmtpServer({'smtps' if self.tls else 'smtp'}://{login}{self.host}:{self.port})"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _flag(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise BadSmtpUrl(f"{name} must be true or false, not {raw!r}")


def parse_smtp_url(url: str, *, default_sender_host: str = "localhost") -> SmtpServer:
    """The server an SMTP URL names; BadSmtpUrl when it is malformed or unsafe."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise BadSmtpUrl(f"use smtp:// or smtps://, not {parts.scheme or 'no scheme'}://")
    if parts.path not in {"", "/"} or parts.fragment:
        raise BadSmtpUrl("an SMTP URL has no path: smtp://host:port?starttls=true")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise BadSmtpUrl("the port must be a number from 1 to 65535") from None
    if not host:
        raise BadSmtpUrl("the URL names no host")
    query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=False)
    unknown = set(query) - {"starttls", "from"}
    if unknown:
        raise BadSmtpUrl(f"unknown option {', '.join(sorted(unknown))}: use starttls or from")
    if any(len(values) > 1 for values in query.values()):
        raise BadSmtpUrl("give each option once")
    starttls = _flag("starttls", query["starttls"][0]) if "starttls" in query else False
    tls = scheme == "smtps"
    if tls and starttls:
        raise BadSmtpUrl("smtps:// is TLS already: starttls is for smtp://")
    username = unquote(parts.username or "")
    password = unquote(parts.password or "")
    if password and not username:
        raise BadSmtpUrl("a password needs a user name")
    if username and not (tls or starttls) and not _is_loopback(host):
        # A login over plain SMTP would cross the network in clear.
        raise BadSmtpUrl("a login needs smtps:// or ?starttls=true (or a server on localhost)")
    sender = query["from"][0].strip() if "from" in query else ""
    sender = sender or f"frontline-connect@{default_sender_host}"
    if "@" not in sender or any(c in sender for c in "\r\n<>, "):
        raise BadSmtpUrl(f"from must be one plain e-mail address, not {sender!r}")
    return SmtpServer(
        host=host,
        port=port or (587 if starttls else DEFAULT_PORTS[scheme]),
        tls=tls,
        starttls=starttls,
        sender=sender,
        username=username,
        password=password,
    )


def build_message(server: SmtpServer, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text e-mail from the service's sender to one person."""
    message = EmailMessage()
    message["From"] = formataddr((SENDER_NAME, server.sender))
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=server.sender.rpartition("@")[2])
    # Automatic: an out-of-office reply would only bounce around an unread mailbox.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


def send(
    server: SmtpServer, message: EmailMessage, *, context: ssl.SSLContext | None = None
) -> None:
    """Hand one message to the server; smtplib's errors (and OSError) mean try again later."""
    context = context or ssl.create_default_context()
    if server.tls:
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            server.host, server.port, timeout=TIMEOUT_SECONDS, context=context
        )
    else:
        client = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS)
    with client:
        if server.starttls:
            client.starttls(context=context)
        if server.username:
            client.login(server.username, server.password)
        client.send_message(message)
