"""Configuration: one frozen dataclass, built from FRONTLINE_* environment variables."""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from service.alerts.smtp import BadSmtpUrl, parse_smtp_url

PREFIX = "FRONTLINE_"

# Variables that share the prefix but belong to tooling, not to the running service.
TOOLING_KEYS = frozenset({"TEST_DATABASE_URL", "TEST_NOW"})

# Secrets that a production deployment must set; in development they are generated once.
SECRET_KEYS = ("SECRET_KEY", "DATA_KEY")
# The shortest secret production accepts: 32 bytes, what `secrets.token_urlsafe(32)` gives.
MIN_SECRET_BYTES = 32


class ConfigError(Exception):
    """The environment does not describe a service that can start."""


def _parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"{PREFIX}{name} must be true or false, not {raw!r}")


def _parse(name: str, kind: object, raw: str) -> object:
    if kind in (bool, "bool"):
        return _parse_bool(name, raw)
    if kind in (int, "int"):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{PREFIX}{name} must be a whole number, not {raw!r}") from None
    return raw


@dataclass(frozen=True)
class Config:
    """Everything the service reads from its environment, checked once at start-up."""

    ENV: str = "development"
    # Keys, the SQLite database and queue: ./instance in the folder the service starts in.
    INSTANCE_DIR: str = dataclasses.field(default_factory=lambda: str(Path("instance").absolute()))
    DATABASE_URL: str = ""
    SECRET_KEY: str = ""
    DATA_KEY: str = ""
    # Previous data keys, comma-separated, while `frontline rotate-data-key` moves rows to
    # DATA_KEY: values and blind indexes under these still read; nothing new is written.
    OLD_DATA_KEYS: str = ""
    TIMEZONE: str = "Europe/London"
    PUBLIC_URL: str = "http://127.0.0.1:5000"
    TWILIO_ACCOUNT_SID: str = ""
    TWILIO_AUTH_TOKEN: str = ""
    TWILIO_MESSAGING_SERVICE_SID: str = ""
    TWILIO_FROM_NUMBER: str = ""
    QUEUE_URL: str = ""
    DEV_TOOLS: bool = False
    # Largest request body accepted (bytes); the JSON APIs of the kiosk and public pages take
    # only MAX_API_REQUEST_BYTES. Beyond either: 413, before the body is read.
    MAX_REQUEST_BYTES: int = 1_048_576
    MAX_API_REQUEST_BYTES: int = 32_768
    # Inbound texts answered per number per minute; beyond it an empty reply (cost, loops).
    SMS_RATE_LIMIT: int = 20
    # Keep inbound message bodies (encrypted) in the log; off by default: metadata only.
    SMS_KEEP_BODIES: bool = False
    # Outbound: messages a second per sender, shared by every worker (Twilio's UK long-code pace).
    SMS_SEND_RATE: int = 10
    # Texts each sending thread keeps in flight at Twilio at once: its answers take 100-300 ms,
    # and one at a time a thread sends a few a second. A worker killed mid-batch sends those in
    # flight again once their lease runs out (Twilio may have taken them): at most this many.
    SEND_WINDOW: int = 32
    # Local hours in which nothing but urgent messages is sent: "21:00-08:00"; empty for none.
    QUIET_HOURS: str = "21:00-08:00"
    # Loop and cost guards: identical texts to one number in 5 minutes; non-reply texts a day.
    MAX_IDENTICAL_TEXTS: int = 1
    MAX_DAILY_TEXTS: int = 10
    # Country calling codes outbound texts may go to, comma-separated.
    ALLOWED_COUNTRY_CODES: str = "44"
    # Regions (phonenumbers region codes, comma-separated) whose mobiles may be sent a code or
    # "text me this", and whose ordinary numbers a lead may give as call-back or dial-in number.
    # GB alone by default: Jersey (JE), Guernsey (GG) and the Isle of Man (IM) share +44 but cost
    # more to text and are where SMS pumping goes.
    ALLOWED_REGIONS: str = "GB"
    # Codes and "text me this" texts the whole organisation may send in 24 hours; beyond it the
    # screens refuse, the audit log says so and the console warns.
    DAILY_CODE_BUDGET: int = 500
    # Estimated cost of one segment, in pence, for previews.
    SEGMENT_COST_PENCE: str = "4.0"
    # Event reminders: how long before an occurrence, e.g. "24h,1h".
    REMINDER_OFFSETS: str = "24h,1h"
    # A broadcast's fan-out on PostgreSQL: batches written at once, a connection each. One
    # writes ~60,000 outbox rows a second on two cores; two add ~20% and take both cores from
    # the webhooks (their p99 meanwhile 2-5 times one thread's). More cores, more threads.
    FAN_OUT_THREADS: int = 1
    # The share of the time (percent) a fan-out's batches may keep a backend busy: after each
    # batch it rests for almost twice as long (at 35), so the webhooks find a free core between
    # them, but never below FAN_OUT_FLOOR_ROWS rows a second (a million rows in 50 seconds), so
    # a slow or loaded machine rests little or not at all. See service/pacing.py. On two cores
    # (6 Dec 2026, EVENTS at 370 texts/s, half the maximum, 800,000 rows): at 35, 21,000-23,000
    # rows/s and EVENTS p99 1.63-1.78 times idle; at 50, 31,000 rows/s and 1.81-2.11.
    FAN_OUT_SHARE: int = 35
    FAN_OUT_FLOOR_ROWS: int = 20_000
    # The same for the retention purge, which only has to finish within its hour: its batches
    # run a tenth of the time. On a two-core machine, deleting 5,000,000 expired texts in
    # 1,000-row batches at 10: about 10,000 rows/s (36,000,000 an hour), EVENTS p99 at half the
    # maximum rate 1.05-1.21 times idle (at 5,000-row batches, 1.37-1.70; at 25, 1.66-2.05;
    # unpaced, 3.5-53).
    PURGE_SHARE: int = 10
    # A row left in "sending" longer than this (a worker died) is sent again.
    OUTBOX_LEASE_SECONDS: int = 120
    # Recorded prompts for languages Twilio cannot speak: <url>/<language>/<prompt id>.mp3.
    VOICE_RECORDINGS_URL: str = ""
    # Where the Twilio REST API lives; only tests and the fake server change it.
    TWILIO_API_URL: str = ""
    # Where e-mail alerts (a call-back or speak-up case waiting) go out: smtp://host:port,
    # smtp://user:pass@host:587?starttls=true or smtps://user:pass@host:465; "from" may be
    # added as ?from=alerts@example.org. Empty: no alerts are sent, and the console says so.
    SMTP_URL: str = ""
    PROXY_FIX: bool = False
    # Addresses or networks that may read /metrics, comma-separated; nobody else learns it exists.
    METRICS_ALLOW: str = "127.0.0.1,::1"
    LOG_LEVEL: str = "INFO"
    # "text" for people, "json" for a log platform: one object per line, with request fields.
    LOG_FORMAT: str = "text"
    # Run huey tasks inline instead of through a worker (tests, one-shot CLI commands).
    QUEUE_IMMEDIATE: bool = False
    # Retention, in days: the periodic purge deletes rows once they are older than this.
    # docs/data-map.md lists what each period covers; the README says why each default.
    RETAIN_INBOUND_DAYS: int = 90
    RETAIN_OUTBOX_DAYS: int = 90
    RETAIN_CODES_DAYS: int = 1
    RETAIN_CALLBACKS_DAYS: int = 180
    RETAIN_VOICE_CALLS_DAYS: int = 90
    RETAIN_AUDIT_DAYS: int = 730
    RETAIN_SPEAKUP_CLOSED_DAYS: int = 365
    # argon2id's cost for manager passwords and speak-up codes (service/hashing.py): "rfc9106",
    # or "cheapest" for the test suite, where hashing is not what is tested. Production refuses it.
    ARGON2_PROFILE: str = "rfc9106"

    @property
    def is_production(self) -> bool:
        """True when the deployment says it is live, which makes missing secrets fatal."""
        return self.ENV == "production"

    @property
    def old_data_keys(self) -> tuple[str, ...]:
        """The previous data keys, newest first as listed."""
        return tuple(k.strip() for k in self.OLD_DATA_KEYS.split(",") if k.strip())

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL, defaulting to a SQLite file in the instance folder."""
        return self.DATABASE_URL or f"sqlite:///{Path(self.INSTANCE_DIR) / 'frontline.db'}"

    @property
    def queue_url(self) -> str:
        """Where huey keeps its queue, defaulting to a SQLite file in the instance folder."""
        return self.QUEUE_URL or f"sqlite:///{Path(self.INSTANCE_DIR) / 'queue.db'}"

    @property
    def zone(self) -> ZoneInfo:
        """The default display time zone."""
        return ZoneInfo(self.TIMEZONE)

    def replace(self, **changes: object) -> Config:
        """A copy with some values changed (tests and the CLI use this)."""
        return dataclasses.replace(self, **changes)


_FIELDS = {f.name: f for f in dataclasses.fields(Config)}


def from_env(environ: Mapping[str, str] | None = None, *, require_env: bool = True) -> Config:
    """Build the configuration from FRONTLINE_* variables; unknown keys stop start-up.

    FRONTLINE_ENV must be set: a live service that forgot it would otherwise run as a
    workstation does, with invented secrets. Only the queue's import-time build skips that.
    """
    environ = os.environ if environ is None else environ
    if require_env and not environ.get(PREFIX + "ENV"):
        raise ConfigError(
            f"{PREFIX}ENV is not set: set it to production for a live service, or to "
            "development on a workstation (make run sets development for you)"
        )
    values: dict[str, object] = {}
    unknown = []
    for key, raw in environ.items():
        if not key.startswith(PREFIX):
            continue
        name = key[len(PREFIX) :]
        if name in TOOLING_KEYS:
            continue
        spec = _FIELDS.get(name)
        if spec is None:
            unknown.append(key)
            continue
        values[name] = _parse(name, spec.type, raw)
    if "INSTANCE_DIR" in values:
        # Flask wants it absolute; a relative one is relative to the folder started in.
        values["INSTANCE_DIR"] = str(Path(str(values["INSTANCE_DIR"])).absolute())
    if unknown:
        known = ", ".join(PREFIX + n for n in sorted(_FIELDS))
        raise ConfigError(
            f"unknown setting {', '.join(sorted(unknown))}: check the spelling (known: {known})"
        )
    return validate(Config(**values))  # type: ignore[arg-type]


def validate(config: Config) -> Config:
    """Check values that would otherwise fail later and less clearly."""
    if config.ENV not in {"development", "production"}:
        raise ConfigError(f"{PREFIX}ENV must be development or production, not {config.ENV!r}")
    try:
        ZoneInfo(config.TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"{PREFIX}TIMEZONE {config.TIMEZONE!r} is not a known time zone") from exc
    _check_quiet_hours(config.QUIET_HOURS)
    _check_offsets(config.REMINDER_OFFSETS)
    try:
        float(config.SEGMENT_COST_PENCE)
    except ValueError:
        raise ConfigError(f"{PREFIX}SEGMENT_COST_PENCE must be a number") from None
    _check_retention(config)
    _check_regions(config.ALLOWED_REGIONS)
    if config.SEND_WINDOW < 1:
        raise ConfigError(f"{PREFIX}SEND_WINDOW must be at least 1")
    if config.OUTBOX_LEASE_SECONDS < 1:
        # 0 would hand every text in flight to the sweeper to send again.
        raise ConfigError(f"{PREFIX}OUTBOX_LEASE_SECONDS must be at least 1")
    _check_old_data_keys(config)
    _check_metrics_allow(config.METRICS_ALLOW)
    if config.LOG_FORMAT not in {"text", "json"}:
        raise ConfigError(f"{PREFIX}LOG_FORMAT must be text or json, not {config.LOG_FORMAT!r}")
    if config.TWILIO_MESSAGING_SERVICE_SID and config.TWILIO_FROM_NUMBER:
        raise ConfigError(
            f"set {PREFIX}TWILIO_MESSAGING_SERVICE_SID or {PREFIX}TWILIO_FROM_NUMBER, not both"
        )
    if (
        config.MAX_API_REQUEST_BYTES < 1024
        or config.MAX_REQUEST_BYTES < config.MAX_API_REQUEST_BYTES
    ):
        raise ConfigError(
            f"{PREFIX}MAX_API_REQUEST_BYTES must be at least 1024 "
            f"and at most {PREFIX}MAX_REQUEST_BYTES"
        )
    if config.SMTP_URL:
        try:
            parse_smtp_url(config.SMTP_URL)
        except BadSmtpUrl as exc:
            # The message never repeats the URL: it may hold the server's password.
            raise ConfigError(f"{PREFIX}SMTP_URL: {exc}") from None
    if config.ARGON2_PROFILE not in {"rfc9106", "cheapest"}:
        raise ConfigError(
            f"{PREFIX}ARGON2_PROFILE must be rfc9106 or cheapest, not {config.ARGON2_PROFILE!r}"
        )
    if config.is_production:
        _check_production(config)
    return config


def _check_production(config: Config) -> None:
    missing = [PREFIX + k for k in SECRET_KEYS if not getattr(config, k)]
    if config.TWILIO_ACCOUNT_SID and not config.TWILIO_AUTH_TOKEN:
        missing.append(PREFIX + "TWILIO_AUTH_TOKEN")
    if missing:
        raise ConfigError(f"production needs {', '.join(missing)}; refusing to start")
    if config.DEV_TOOLS:
        # The phone simulator shows anyone's codes and signs webhooks: never on a live service.
        raise ConfigError(f"{PREFIX}DEV_TOOLS must be off in production; refusing to start")
    if config.ARGON2_PROFILE != "rfc9106":
        # Cheap hashes would let a stolen table of passwords or speak-up codes be walked.
        raise ConfigError(f"{PREFIX}ARGON2_PROFILE must be rfc9106 in production")
    if not config.PUBLIC_URL.startswith("https://"):
        raise ConfigError(
            f"{PREFIX}PUBLIC_URL must be https:// in production, not {config.PUBLIC_URL!r}"
        )
    short = [
        PREFIX + k
        for k in (*SECRET_KEYS, "TWILIO_AUTH_TOKEN")
        if getattr(config, k) and len(getattr(config, k).encode()) < MIN_SECRET_BYTES
    ]
    if short:
        raise ConfigError(
            f"{', '.join(short)} must be at least {MIN_SECRET_BYTES} bytes in production "
            "(make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )


_QUIET = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
_OFFSET = re.compile(r"^(\d+)([mhd])$")


def _check_regions(raw: str) -> None:
    listed = [r.strip().upper() for r in raw.split(",") if r.strip()]
    unknown = sorted(set(listed) - phonenumbers.SUPPORTED_REGIONS)
    if not listed or unknown:
        raise ConfigError(
            f"{PREFIX}ALLOWED_REGIONS must list region codes such as GB,IE; not {raw!r}"
        )


def _check_quiet_hours(raw: str) -> None:
    if raw and not _QUIET.match(raw):
        raise ConfigError(f"{PREFIX}QUIET_HOURS must look like 21:00-08:00, not {raw!r}")


def _check_offsets(raw: str) -> None:
    for part in filter(None, (p.strip() for p in raw.split(","))):
        if not _OFFSET.match(part):
            raise ConfigError(f"{PREFIX}REMINDER_OFFSETS: {part!r} is not like 24h or 30m")


def _check_old_data_keys(config: Config) -> None:
    parts = [p.strip() for p in config.OLD_DATA_KEYS.split(",")] if config.OLD_DATA_KEYS else []
    if any(not p for p in parts):
        raise ConfigError(f"{PREFIX}OLD_DATA_KEYS has an empty entry: separate keys by commas")
    if len(set(parts)) != len(parts):
        raise ConfigError(f"{PREFIX}OLD_DATA_KEYS lists a key twice")
    if config.DATA_KEY and config.DATA_KEY in parts:
        raise ConfigError(f"{PREFIX}OLD_DATA_KEYS must not include the current {PREFIX}DATA_KEY")


def _check_metrics_allow(raw: str) -> None:
    for part in filter(None, (p.strip() for p in raw.split(","))):
        try:
            ipaddress.ip_network(part, strict=False)
        except ValueError:
            raise ConfigError(
                f"{PREFIX}METRICS_ALLOW: {part!r} is not an address or network"
            ) from None


# The shortest period each kind of row may be kept: the service still reads it until then
# (rate limits look back an hour, the loop guard a day, the audit log must cover a year).
RETENTION_MINIMUM_DAYS = {
    "RETAIN_INBOUND_DAYS": 1,
    "RETAIN_OUTBOX_DAYS": 2,
    "RETAIN_CODES_DAYS": 1,
    "RETAIN_CALLBACKS_DAYS": 1,
    "RETAIN_VOICE_CALLS_DAYS": 1,
    "RETAIN_AUDIT_DAYS": 365,
    "RETAIN_SPEAKUP_CLOSED_DAYS": 30,
}


def _check_retention(config: Config) -> None:
    for name, minimum in RETENTION_MINIMUM_DAYS.items():
        if getattr(config, name) < minimum:
            raise ConfigError(f"{PREFIX}{name} must be at least {minimum} day(s)")


def quiet_hours(config: Config) -> tuple[dt.time, dt.time] | None:
    """The quiet window as (start, end) local times, or None when there is none."""
    match = _QUIET.match(config.QUIET_HOURS)
    if not match:
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    return dt.time(h1, m1), dt.time(h2, m2)


def reminder_offsets(config: Config) -> list[dt.timedelta]:
    """How long before an occurrence each reminder goes, longest first."""
    units = {"m": "minutes", "h": "hours", "d": "days"}
    offsets = []
    for part in filter(None, (p.strip() for p in config.REMINDER_OFFSETS.split(","))):
        match = _OFFSET.match(part)
        assert match is not None
        offsets.append(dt.timedelta(**{units[match.group(2)]: int(match.group(1))}))
    return sorted(offsets, reverse=True)


def with_dev_secrets(config: Config) -> Config:
    """Fill missing secrets from files in the instance folder, creating them once."""
    if config.is_production:
        return config
    instance = Path(config.INSTANCE_DIR)
    filled: dict[str, object] = {}
    keys = list(SECRET_KEYS)
    if not config.TWILIO_ACCOUNT_SID:
        # No Twilio account: the phone simulator signs webhooks with a local token instead.
        keys.append("TWILIO_AUTH_TOKEN")
    for key in keys:
        if getattr(config, key):
            continue
        path = instance / f"dev-{key.lower().replace('_', '-')}"
        if not path.exists():
            instance.mkdir(parents=True, exist_ok=True)
            # Write-then-rename so two processes starting together agree on one key.
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(secrets.token_urlsafe(32))
            tmp.chmod(0o600)
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
        filled[key] = path.read_text().strip()
    return config.replace(**filled) if filled else config


def get_config() -> Config:
    """The configuration of the current app."""
    # Imported here: configuration is read and checked without Flask (the CLI, gunicorn).
    from flask import current_app

    return current_app.config["FRONTLINE"]
