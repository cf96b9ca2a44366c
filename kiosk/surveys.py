"""/kiosk/<site>/survey/<id> and /api/survey/…: "Have your say" on the depot's kiosk.

One question a screen, answered in place by the page's script (kiosk/static/survey.js): no
navigation, so no history entry or cached page holds an answer. A person whose number this
visit proved answers as that number (one response across every channel, and the only way
into a survey for an audience); anyone else answers an open survey unproven, counted for this
kiosk's site and limited per kiosk an hour (service/surveys/screens.py says why).
"""

from __future__ import annotations

from flask import Response, abort, g, request, url_for

from kiosk import views
from service.contacts.models import Contact
from service.db import get_session, utcnow
from service.organisations.operations import kiosk_credential_matches
from service.routes import Routes
from service.surveys import screen_api, screens
from service.surveys.queries import localised
from service.verification import visits

routes = Routes()
CHANNEL = "kiosk"


def _place() -> str:
    # A kiosk is shared: unproven answers count per kiosk (its site and address), not person.
    return f"kiosk:{g.site.id}:{request.remote_addr}"


def _per_hour() -> int:
    # The kiosk's path is public: only the PC the console registered gets a kiosk's queue of
    # unproven starts; any other browser posting here gets a phone's, as on the public page.
    presented = request.headers.get("X-Kiosk-Credential")
    if kiosk_credential_matches(g.site, presented):
        return screens.KIOSK_PER_HOUR
    return screens.WEB_PER_HOUR


def _proven(body: dict) -> Contact | None:
    token = body.get("visit")
    if token is None:
        return None
    try:
        return visits.visit_contact(get_session(), g.org, g.site.id, token, utcnow())
    except visits.VisitOver as exc:
        raise screen_api.VisitOver() from exc


@routes.get("/survey/<int:survey_id>")
def survey(survey_id: int) -> str:
    """The survey's title and introduction; its questions come one at a time in place."""
    session = get_session()
    found = next(
        (
            s
            for s in screens.offered(session, g.org.id, utcnow(), site_id=g.site.id)
            if s.id == survey_id
        ),
        None,
    )
    if found is None:
        abort(404)
    return views.render_page(
        "kiosk/survey.html",
        survey=localised(session, found, views.language_code()),
        survey_id=found.id,
        needs_number=found.audience != "open",
        kiosk=True,
        survey_api=url_for("kiosk.home") + "api/survey/",
    )


@routes.post("/api/survey/start")
def api_survey_start() -> Response:
    """Start or resume a survey at this kiosk."""
    return screen_api.start(
        g.org,
        channel=CHANNEL,
        site_id=g.site.id,
        place=_place(),
        per_hour=_per_hour(),
        proven=_proven,
    )


@routes.post("/api/survey/answer")
def api_survey_answer() -> Response:
    """Answer the question on the screen."""
    return screen_api.answer(g.org, site_id=g.site.id, proven=_proven)


@routes.post("/api/survey/back")
def api_survey_back() -> Response:
    """Go back a question."""
    return screen_api.back(g.org, site_id=g.site.id, proven=_proven)
