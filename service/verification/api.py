"""JSON handlers for the code step; the kiosk and the public pages mount them under their URLs.

Answers carry a message in the person's language, so the page script stays small and every
channel says the same thing.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from flask import Response, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from service import languages
from service.callbacks.operations import GOOD_TIMES
from service.config import get_config
from service.contacts.operations import ConsentRequired
from service.contacts.phone import regions
from service.content import queries
from service.db import get_session, utcnow
from service.errors import DomainError, InvalidPhoneNumber, NotFound, ValidationError
from service.messaging.replies import word
from service.organisations.kiosk_keys import kiosk_public_key
from service.organisations.models import Organisation, Site
from service.verification import operations as ops
from service.verification.limits import note_budget_spent
from service.verification.models import PendingAction
from service.verification.sealing import SealError, envelope_kiosk, open_sealed
from service.verification.text_me import text_occurrence, text_support_lines
from service.verification.visits import CHANNEL as VISIT_CHANNEL

log = logging.getLogger(__name__)
_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def _no_store(response: Response) -> Response:
    # Answers name a (masked) number and a code token: nothing keeps them.
    response.headers["Cache-Control"] = "no-store"
    return response


def _answer(http_status: int, **body: object) -> Response:
    response = jsonify(body)
    response.status_code = http_status
    return _no_store(response)


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError("body", "a JSON object is required")
    return body


def _language(body: dict) -> str:
    lang = body.get("lang")
    return lang if isinstance(lang, str) and languages.is_supported(lang) else languages.DEFAULT


def _good_time(body: dict) -> str | None:
    """When a call suits the person (a call-back's big buttons); anything else is no answer."""
    value = body.get("when")
    return value if isinstance(value, str) and value in GOOD_TIMES else None


def _int_or_none(value: object) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise ValidationError("id", "must be a number")


def _moment(value: object) -> dt.datetime | None:
    if value in (None, ""):
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationError("occurrence", "must be an ISO date and time") from exc
    if moment.tzinfo is None:
        raise ValidationError("occurrence", "must carry its offset")
    return moment.astimezone(dt.UTC)


def _key(body: dict) -> str | None:
    key = body.get("key")
    if key is None:
        return None
    if not isinstance(key, str) or not _KEY.match(key):
        raise ValidationError("key", "must be 8 to 64 letters, digits, - or _")
    return key


def _phone(body: dict) -> str:
    """The number typed. A sealed request comes only through queued(), never beside a number."""
    if "sealed" in body:
        raise SealError()
    phone = body.get("phone")
    return phone if isinstance(phone, str) else ""


# Each refusal a screen can meet, checked in this order (a subclass before its base), with
# the HTTP status and error code the page script reads and the message it shows.
_REFUSALS: tuple[tuple[type[Exception], int, str, LazyString], ...] = (
    (ops.CountryNotServed, 400, "country", _l("Sorry, we cannot text numbers in that country.")),
    (
        ops.NotAMobile,
        400,
        "not_mobile",
        _l("Please type a mobile number. We can only text mobiles."),
    ),
    (
        InvalidPhoneNumber,
        400,
        "number",
        _l("That number does not look right. Check it and try again."),
    ),
    (
        ops.TooManyRequests,
        429,
        "too_many",
        _l("Too many codes have been asked for here. Please try again later."),
    ),
    (
        ops.TooManyTextsToday,
        429,
        "too_many",
        _l("This number has had all the texts it can today. Please try tomorrow."),
    ),
    (
        ops.DailyBudgetSpent,
        429,
        "too_many",
        _l("We cannot send any more texts today. Please try again tomorrow."),
    ),
    (
        ops.TooManyTexts,
        429,
        "too_many",
        _l("This number has been sent 3 texts in the last hour. Please try again later."),
    ),
    (ConsentRequired, 400, "consent", _l("Please read and agree first.")),
    (NotFound, 404, "not_found", _l("That is no longer available. Sorry.")),
)


def _refusal(exc: Exception, language: str) -> Response:
    with force_locale(language):
        for kind, http_status, error, message in _REFUSALS:
            if isinstance(exc, kind):
                return _answer(http_status, error=error, message=str(message))
        return _answer(
            400, error="bad_request", message=_("Something went wrong. Please start again.")
        )


def _asker(channel: str, per_hour: int) -> ops.Asker:
    config = get_config()
    return ops.Asker(
        channel,
        request.remote_addr,
        regions(config.ALLOWED_REGIONS),
        per_hour=per_hour,
        per_number_per_day=config.MAX_DAILY_TEXTS,
        daily_budget=config.DAILY_CODE_BUDGET,
    )


def _refused(session, org: Organisation, exc: DomainError, language: str) -> Response:
    session.rollback()
    log.info("text request refused: %s", type(exc).__name__)
    if isinstance(exc, ops.DailyBudgetSpent):
        # The refusal rolled back; the audit entry that tells the managers stands on its own.
        note_budget_spent(session, org, get_config().DAILY_CODE_BUDGET, utcnow())
        session.commit()
    return _refusal(exc, language)


def start(org: Organisation, *, channel: str, site_id: int | None, per_hour: int) -> Response:
    """POST {action, network|event+occurrence, consent, phone, key, lang}: send a code."""
    try:
        body = _body()
        phone = _phone(body)
    except ValidationError as exc:
        return _refusal(exc, languages.DEFAULT)
    return _start(org, body, phone, channel=channel, site_id=site_id, per_hour=per_hour)


def _start(
    org: Organisation,
    body: dict,
    phone: str,
    *,
    channel: str,
    site_id: int | None,
    per_hour: int,
    sealed: bool = False,
) -> Response:
    session = get_session()
    language = _language(body)
    try:
        target = ops.Target(
            action=str(body.get("action", "")),
            network_id=_int_or_none(body.get("network")),
            event_id=_int_or_none(body.get("event")),
            occurrence_start=_moment(body.get("occurrence")),
            consent=body.get("consent") is True,
            good_time=_good_time(body),
        )
        started = ops.start_action(
            session,
            org,
            phone,
            target,
            asker=_asker(channel, per_hour),
            language=language,
            site_id=site_id,
            key=_key(body),
            by_reply=sealed,
        )
    except DomainError as exc:
        return _refused(session, org, exc, language)
    session.commit()
    with force_locale(language):
        message = (
            _(
                "We have texted %(number)s. Reply %(yes)s and the number in that text to finish.",
                number=started.masked,
                yes=word("yes", language),
            )
            if started.by_reply
            else _("We have texted a code to %(number)s.", number=started.masked)
        )
    return _answer(
        200, token=started.token, masked=started.masked, by_reply=started.by_reply, message=message
    )


def queued(org: Organisation, site: Site, *, channel: str, per_hour: int) -> Response:
    """POST {sealed}: a request a paired kiosk sealed while offline, opened and then done."""
    try:
        envelope = _body().get("sealed")
        kiosk_key = kiosk_public_key(get_session(), site, envelope_kiosk(envelope))
        if kiosk_key is None:
            raise SealError()
        plain = _open_with_any_key(
            envelope, kiosk_public_key=kiosk_key, org_id=org.id, site_id=site.id, now=utcnow()
        )
    except ValidationError as exc:
        log.info("queued request refused: %s", type(exc).__name__)
        return _refusal(exc, languages.DEFAULT)
    phone = plain.get("phone")
    phone = phone if isinstance(phone, str) else ""
    if plain.get("path") == "text-me":
        return _text_me(org, plain, phone, channel=channel, per_hour=per_hour)
    return _start(
        org, plain, phone, channel=channel, site_id=site.id, per_hour=per_hour, sealed=True
    )


def check(org: Organisation) -> Response:
    """POST {token, code, lang}: compare the code and, when it matches, do the action."""
    session = get_session()
    try:
        body = _body()
    except ValidationError as exc:
        return _refusal(exc, languages.DEFAULT)
    language = _language(body)
    token, code = body.get("token"), body.get("code")
    if not isinstance(token, str) or not isinstance(code, str):
        return _refusal(ValidationError("code", "token and code are required"), language)
    try:
        checked = ops.check_code(session, org, token, code)
    except NotFound as exc:
        session.rollback()
        return _refusal(exc, language)
    # A wrong try is counted even though nothing else happens: commit either way.
    session.commit()
    done = done_message(session, org, checked, language)
    with force_locale(language):
        messages = {
            "done": done,
            "already": done,
            "wrong": _("That code is not right. %(left)s tries left.", left=checked.tries_left),
            "locked": _("Too many wrong tries. Please start again for a new code."),
            "expired": _("That code has run out. Please start again for a new code."),
            "full": _("Sorry, that session is now full."),
        }
    status = 200 if checked.status in {"done", "already", "full"} else 400
    # A code that matched at a kiosk opened a visit (visits.py): the page keeps the token.
    visit = checked.status in {"done", "full"} and visit_open(session, token)
    return _answer(status, status=checked.status, message=messages[checked.status], visit=visit)


def visit_open(session, token: str) -> bool:
    """True when this code step's token now holds a kiosk visit open."""
    action = session.scalar(select(PendingAction).where(PendingAction.token == token))
    return (
        action is not None and action.channel == VISIT_CHANNEL and action.completed_at is not None
    )


def done_message(session, org: Organisation, checked: ops.Checked, language: str) -> str:
    """What the screen says once an action is done; a join names the group joined."""
    with force_locale(language):
        if checked.action == "join":
            name = next(
                (
                    n.name
                    for n in queries.networks(session, org.id, language)
                    if n.id == checked.network_id
                ),
                None,
            )
            if name:
                return _("You have joined %(name)s. We have texted you how to leave.", name=name)
            return _("You have joined. We will text you about what is on.")
        if checked.action == "prove":
            return _("Thank you. Your number is checked.")
        if checked.action == "rsvp":
            if checked.status == "full":
                return _("Sorry, that session is now full.")
            return _("You are going. We will text you a reminder before it starts.")
        return _("Thank you. Someone from the team will call you back on that number.")


def text_me(org: Organisation, *, channel: str, per_hour: int) -> Response:
    """POST {event, occurrence, phone, key, lang}: text an event's details to oneself."""
    try:
        body = _body()
        phone = _phone(body)
    except ValidationError as exc:
        return _refusal(exc, languages.DEFAULT)
    return _text_me(org, body, phone, channel=channel, per_hour=per_hour)


def _text_me(
    org: Organisation,
    body: dict,
    phone: str,
    *,
    channel: str,
    per_hour: int,
    proven: bool = False,
) -> Response:
    session = get_session()
    language = _language(body)
    try:
        if body.get("what") == "support":
            shown = text_support_lines(
                session,
                org,
                phone,
                language=language,
                asker=_asker(channel, per_hour),
                key=_key(body),
                proven=proven,
            )
            session.commit()
            with force_locale(language):
                message = _("We have texted the numbers to %(number)s.", number=shown)
            return _answer(200, masked=shown, message=message)
        event_id = _int_or_none(body.get("event"))
        moment = _moment(body.get("occurrence"))
        if event_id is None or moment is None:
            raise ValidationError("event", "an event and its date are required")
        shown = text_occurrence(
            session,
            org,
            phone,
            event_id,
            moment,
            language=language,
            asker=_asker(channel, per_hour),
            key=_key(body),
            proven=proven,
        )
    except DomainError as exc:
        return _refused(session, org, exc, language)
    session.commit()
    with force_locale(language):
        return _answer(
            200, masked=shown, message=_("We have texted it to %(number)s.", number=shown)
        )


def _open_with_any_key(envelope: dict, **where) -> dict:
    # A kiosk that went offline before a data-key change sealed to the old key's public key.
    config = get_config()
    keys = (config.DATA_KEY, *config.old_data_keys)
    for key in keys[:-1]:
        try:
            return open_sealed(key, envelope, **where)
        except SealError:
            continue
    return open_sealed(keys[-1], envelope, **where)
