"""Point the organisations' Twilio numbers at this deployment (`frontline twilio-configure`)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.config import PREFIX, Config
from service.organisations.models import Organisation, OrganisationNumber
from service.organisations.operations import organisation_by_slug
from service.twilio_gateway import NumberSetupError, NumberWebhooks, point_number

# The webhook paths, as the sms and voice blueprints serve them.
SMS_PATH = "/twilio/sms"
VOICE_PATH = "/twilio/voice"
VOICE_STATUS_PATH = "/twilio/voice/status"
# Plain HTTP only where nothing outside this machine could call it (the fake, development).
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class NotReady(Exception):
    """The configuration cannot point Twilio anywhere useful."""


@dataclass(frozen=True)
class Outcome:
    """What happened to one number."""

    organisation: str
    e164: str
    changed: tuple[str, ...] = ()
    error: str = ""

    @property
    def line(self) -> str:
        """One line for the operator."""
        if self.error:
            what = f"FAILED: {self.error}"
        else:
            what = ("updated " + ", ".join(self.changed)) if self.changed else "already set"
        return f"{self.organisation} {self.e164}: {what}"


def check_ready(config: Config) -> None:
    """Raise NotReady unless there is an account and a public URL Twilio may call."""
    missing = [
        PREFIX + name
        for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN")
        if not getattr(config, name)
    ]
    if missing:
        raise NotReady(f"set {' and '.join(missing)} first; nothing was changed at Twilio")
    url = urlsplit(config.PUBLIC_URL)
    loopback_http = url.scheme == "http" and url.hostname in LOOPBACK_HOSTS
    if not url.hostname or not (url.scheme == "https" or loopback_http):
        raise NotReady(
            f"{PREFIX}PUBLIC_URL must be an https:// URL Twilio can reach, "
            f"not {config.PUBLIC_URL!r}; nothing was changed at Twilio"
        )


def webhooks(config: Config) -> NumberWebhooks:
    """The URLs every number should call, under the public URL."""
    base = config.PUBLIC_URL.rstrip("/")
    return NumberWebhooks(
        sms_url=base + SMS_PATH,
        voice_url=base + VOICE_PATH,
        status_callback=base + VOICE_STATUS_PATH,
    )


def configure(
    session: Session,
    config: Config,
    org_slug: str | None = None,
) -> list[Outcome]:
    """Point every number (or one organisation's) at the public URL; one outcome each."""
    check_ready(config)
    query = select(OrganisationNumber).join(Organisation).order_by(Organisation.slug)
    if org_slug is not None:
        # NotFound (a DomainError) for an unknown slug: the caller reports it.
        query = query.where(Organisation.id == organisation_by_slug(session, org_slug).id)
    hooks = webhooks(config)
    outcomes = []
    # Every number is tried even after a failure, so one run shows everything that is wrong.
    for number in session.scalars(query.order_by(OrganisationNumber.e164)):
        slug = number.organisation.slug
        try:
            changed = point_number(config, number.e164, hooks)
        except NumberSetupError as exc:
            outcomes.append(Outcome(slug, number.e164, error=str(exc)))
        else:
            outcomes.append(Outcome(slug, number.e164, changed=tuple(changed)))
    return outcomes
