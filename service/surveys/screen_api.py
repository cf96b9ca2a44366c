"""JSON handlers for answering a survey on a screen; the kiosk and the public pages mount them.

The page's script shows one question at a time in place and keeps the respondent's handle in
its memory only: nothing goes in the URL, storage or history. Answers carry their messages in
the screen's language, as the code step's do (service.verification.api).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Response, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _

from service import languages
from service.contacts.models import Contact
from service.db import get_session, utcnow
from service.errors import DomainError, NotFound, ValidationError
from service.messaging import replies
from service.organisations.models import Organisation
from service.surveys import screens, taking, texts
from service.surveys.operations import SurveyClosed
from service.surveys.queries import localised

log = logging.getLogger(__name__)

# Who the kiosk's visit proved, from the request's body: None when the body holds no visit.
Proven = Callable[[dict], Contact | None]


class VisitOver(DomainError):
    """The request named a kiosk visit that is over: the number must be proven again."""


def _answer(status: int, **body: object) -> Response:
    response = jsonify(body)
    response.status_code = status
    # An answer names a question and a handle: no cache keeps it.
    response.headers["Cache-Control"] = "no-store"
    return response


def _cross_site() -> bool:
    """A request another site's page made: forms cannot send JSON, and browsers say Origin.

    The kiosk and public APIs carry no session cookie to ride on, but a page elsewhere could
    still make a visitor's browser post answers; it can do neither of these without CORS.
    """
    if not request.is_json:
        return True
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return True
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    return urlsplit(origin).netloc != urlsplit(request.host_url).netloc


def _body() -> tuple[dict, str]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError("body", "a JSON object is required")
    lang = body.get("lang")
    return body, lang if isinstance(lang, str) and languages.is_supported(
        lang
    ) else languages.DEFAULT


def _respondent(body: dict, proven: Proven | None) -> screens.Respondent:
    contact = proven(body) if proven is not None else None
    if contact is not None:
        return screens.Respondent(contact=contact)
    handle = body.get("handle")
    ok = isinstance(handle, str) and 16 <= len(handle) <= 64
    return screens.Respondent(handle=handle if ok else None)


def _question(session, survey, place: taking.Place, language: str) -> dict:
    view = localised(session, survey, language)
    shown = view.questions[place.number - 1]
    with force_locale(language):
        progress = _("%(number)s of %(total)s", number=place.number, total=place.total)
    return {
        "id": shown.id,
        "kind": shown.kind,
        "text": shown.text,
        "options": list(shown.asked.options),
        "prefer_not": shown.asked.prefer_not,
        # The equality questions' consent: its explanation is shown above it, in full.
        "preface": shown.preface,
        "consent": shown.monitoring == "consent",
        "number": place.number,
        "total": place.total,
        "progress": progress,
    }


def _refusal(exc: Exception, language: str) -> Response:
    with force_locale(language):
        if isinstance(exc, SurveyClosed):
            return _answer(410, error="closed", message=texts.closed())
        if isinstance(exc, taking.AlreadyAnswered):
            return _answer(409, error="answered", message=texts.already_answered())
        if isinstance(exc, screens.NotForYou):
            return _answer(403, error="not_for_you", message=texts.not_for_you())
        if isinstance(exc, VisitOver):
            return _answer(
                401, error="visit_over", message=_("Please type your mobile number again.")
            )
        if isinstance(exc, screens.NumberNeeded):
            return _answer(
                401,
                error="number_needed",
                message=_("This survey is for members. Please prove your number first."),
            )
        if isinstance(exc, screens.TooManyHere):
            return _answer(
                429,
                error="too_many",
                message=_(
                    "Many surveys have been answered here in the last hour. "
                    "Please try again later, or answer by text."
                ),
            )
        if isinstance(exc, taking.NotStarted | NotFound):
            return _answer(404, error="not_started", message=_("Please start the survey again."))
        return _answer(400, error="bad_request", message=_("Please choose one of the answers."))


def _run(org: Organisation, site_id: int | None, proven: Proven | None, work) -> Response:
    """Parse, find the survey and the respondent, do the work, commit; refusals as JSON."""
    if _cross_site():
        return _answer(403, error="cross_site", message="")
    session = get_session()
    language = languages.DEFAULT
    try:
        body, language = _body()
        survey = screens.survey_offered(
            session, org.id, body.get("survey"), utcnow(), site_id=site_id
        )
        respondent = _respondent(body, proven)
        result = work(session, survey, respondent, body, language)
    except DomainError as exc:
        session.rollback()
        log.info("survey answer refused: %s", type(exc).__name__)
        return _refusal(exc, language)
    session.commit()
    return result


def start(
    org: Organisation,
    *,
    channel: str,
    site_id: int | None,
    place: str,
    per_hour: int,
    proven: Proven | None = None,
) -> Response:
    """POST {survey, lang, visit?}: start or resume; the first question (and a new handle)."""

    def work(session, survey, respondent, body, language) -> Response:
        who, at = screens.begin(
            session,
            survey,
            respondent,
            place=place,
            per_hour=per_hour,
            channel=channel,
            site_id=site_id,
            language=language,
            now=utcnow(),
        )
        return _answer(200, handle=who.handle, question=_question(session, survey, at, language))

    return _run(org, site_id, proven, work)


def answer(org: Organisation, *, site_id: int | None, proven: Proven | None = None) -> Response:
    """POST {survey, handle|visit, question, outcome, value?, text?, lang}: the next question."""

    def work(session, survey, respondent, body, language) -> Response:
        try:
            after = screens.answer(
                session,
                survey,
                respondent,
                question_id=body.get("question"),
                outcome=body.get("outcome"),
                value=body.get("value"),
                text=body.get("text"),
                now=utcnow(),
            )
        except screens.InCrisis as found:
            # Nothing was written: 999 and the crisis line alone, in the words' own language.
            said_in = found.language or language
            return _answer(200, crisis=True, message=replies.crisis_in(session, org.id, said_in))
        except screens.WrongQuestion:
            # A second tap on an answer already taken: show where they really are.
            now_at = taking.current(session, survey, respondent.identity)
            if now_at is None:
                raise taking.NotStarted() from None
            return _answer(409, question=_question(session, survey, now_at, language))
        if after is None:
            with force_locale(language):
                return _answer(200, done=True, message=texts.finished())
        return _answer(200, question=_question(session, survey, after, language))

    return _run(org, site_id, proven, work)


def back(org: Organisation, *, site_id: int | None, proven: Proven | None = None) -> Response:
    """POST {survey, handle|visit, lang}: the question before (its answer is asked again)."""

    def work(session, survey, respondent, body, language) -> Response:
        at = taking.back(session, survey, respondent.identity, utcnow())
        return _answer(200, question=_question(session, survey, at, language))

    return _run(org, site_id, proven, work)


def forget(org: Organisation, *, site_id: int | None, body: object) -> None:
    """The kiosk's reset: an unproven respondent's unfinished answers go with them."""
    if not isinstance(body, dict) or not isinstance(body.get("survey"), dict):
        return
    held = body["survey"]
    session = get_session()
    try:
        survey = screens.survey_offered(session, org.id, held.get("id"), utcnow(), site_id=site_id)
        if screens.forget(session, survey, _respondent(held, None)):
            session.commit()
    except DomainError:
        session.rollback()
