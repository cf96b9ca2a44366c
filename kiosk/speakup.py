"""/kiosk/<site>/api/speak-up and /api/case: raise and follow a concern, leaving nothing behind.

Answered as JSON to the page's script, which shows the result in place: no navigation, so
no history entry, form resubmission or cached page can show one person's case to the next.
"""

from __future__ import annotations

from flask import Response, current_app, g, request
from flask_babel import force_locale
from flask_babel import gettext as _

from service import languages
from service.db import get_session, utcnow
from service.errors import ValidationError
from service.messaging import crisis
from service.routes import Routes
from service.speakup import codes
from service.speakup import operations as speakup

routes = Routes()


def _answer(status: int = 200, **payload: object) -> Response:
    response = current_app.json.response(payload)
    response.status_code = status
    return response


def _payload() -> tuple[dict, str]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return {}, languages.DEFAULT
    language = body.get("lang")
    return body, language if isinstance(language, str) and languages.is_supported(
        language
    ) else g.default_language


def _sender() -> str:
    # A kiosk is shared: throttles count per kiosk (site and address), never per person.
    return f"kiosk:{g.site.id}:{request.remote_addr}"


@routes.post("/api/speak-up")
def api_speak_up() -> Response:
    """Open a case from the concern typed; the code comes back once, to be written down."""
    body, language = _payload()
    text = body.get("text")
    with force_locale(language):
        if not isinstance(text, str) or not text.strip():
            return _answer(400, error=_("Please write your concern first."))
        # The page shows 999 and the crisis line above anything else when the words call for it.
        in_crisis = crisis.detect(text) is not None
        session = get_session()
        try:
            raised = speakup.raise_concern(
                session, g.org, text=text, channel="kiosk", sender=_sender(), now=utcnow()
            )
        except speakup.TooManyTries:
            return _answer(
                429,
                crisis=in_crisis,
                error=_(
                    "Several concerns were sent from this screen in the last hour. "
                    "Please try again later."
                ),
            )
        except ValidationError:
            return _answer(
                400,
                crisis=in_crisis,
                error=_("That is too long. Please shorten it and try again."),
            )
        session.commit()
        return _answer(code=codes.shown(raised.code), crisis=in_crisis)


@routes.post("/api/case")
def api_case() -> Response:
    """Open a case with its code: the guardian's replies, and anything added."""
    body, language = _payload()
    typed, more = body.get("code"), body.get("text") or ""
    with force_locale(language):
        if not isinstance(typed, str) or not isinstance(more, str):
            return _answer(400, error=_("Please type your case code."))
        session = get_session()
        now = utcnow()
        try:
            case = speakup.open_case(session, g.org, typed, sender=_sender(), now=now)
        except speakup.TooManyTries:
            session.commit()
            return _answer(
                429, error=_("Too many wrong codes. Please wait a few minutes and try again.")
            )
        except speakup.WrongCode:
            session.commit()  # the wrong guess counts
            return _answer(404, error=_("That code does not match a case. Check it and try again."))
        added = False
        if more.strip():
            try:
                speakup.add_worker_message(session, case, more, now)
            except ValidationError:
                return _answer(400, error=_("That is too long. Please shorten it and try again."))
            added = True
        replies = [
            {"text": text, "new": new} for text, new in speakup.guardian_replies(session, case)
        ]
        session.commit()
        return _answer(
            replies=replies,
            added=added,
            closed=case.status == "closed",
            crisis=crisis.detect(more) is not None,
        )
