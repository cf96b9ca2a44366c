"""JSON handlers for a kiosk visit: act, text, look and end with the number proven once."""

from __future__ import annotations

from flask import Response
from flask_babel import force_locale
from flask_babel import gettext as _

from service import languages
from service.db import get_session, utcnow
from service.errors import DomainError, ValidationError
from service.organisations.models import Organisation, Site
from service.verification import api, visits
from service.verification import operations as ops


def _over(language: str) -> Response:
    with force_locale(language):
        return api._answer(
            401,
            error="visit_over",
            message=_("Please type your mobile number again."),
        )


def _visit_token(body: dict) -> str | None:
    token = body.get("visit")
    return token if isinstance(token, str) and token else None


def look(org: Organisation, site: Site) -> Response:
    """POST {visit}: the visit's number, masked, while the visit lasts (each look extends it)."""
    session = get_session()
    try:
        body = api._body()
        contact = visits.visit_contact(session, org, site.id, _visit_token(body), utcnow())
    except DomainError:
        return _over(languages.DEFAULT)  # nothing was written
    masked = ops.masked(contact.phone)
    session.commit()
    return api._answer(200, masked=masked)


def act(org: Organisation, site: Site) -> Response:
    """POST {visit, action, network|event+occurrence, consent, lang}: do it with no new code."""
    session = get_session()
    try:
        body = api._body()
    except ValidationError as exc:
        return api._refusal(exc, languages.DEFAULT)
    language = api._language(body)
    try:
        target = ops.Target(
            action=str(body.get("action", "")),
            network_id=api._int_or_none(body.get("network")),
            event_id=api._int_or_none(body.get("event")),
            occurrence_start=api._moment(body.get("occurrence")),
            consent=body.get("consent") is True,
            good_time=api._good_time(body),
        )
        checked = visits.act_in_visit(
            session, org, site.id, _visit_token(body), target, language=language, now=utcnow()
        )
    except visits.VisitOver:
        return _over(language)  # raised before anything is written
    except DomainError as exc:
        return api._refused(session, org, exc, language)
    session.commit()
    message = api.done_message(session, org, checked, language)
    return api._answer(200, status=checked.status, message=message)


def text_me(org: Organisation, site: Site, *, per_hour: int) -> Response:
    """POST {visit, event, occurrence, key, lang}: "text me this" to the visit's number."""
    session = get_session()
    try:
        body = api._body()
        contact = visits.visit_contact(session, org, site.id, _visit_token(body), utcnow())
    except visits.VisitOver:
        return _over(languages.DEFAULT)
    except ValidationError as exc:
        return api._refusal(exc, languages.DEFAULT)
    return api._text_me(
        org, body, contact.phone, channel=visits.CHANNEL, per_hour=per_hour, proven=True
    )


def end(org: Organisation, site: Site, body: object) -> None:
    """The kiosk reset: the visit it held, if any, proves nothing from now on."""
    if not isinstance(body, dict):
        return
    session = get_session()
    if visits.end_visit(session, org, site.id, _visit_token(body), utcnow()):
        session.commit()
