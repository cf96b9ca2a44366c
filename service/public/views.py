"""Public pages: what an organisation offers, readable by anyone without signing in."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import get_locale
from sqlalchemy import select

from service import languages
from service.content import queries
from service.db import get_session, utcnow
from service.errors import NotFound
from service.messaging.replies import speak_up_word, word
from service.organisations.models import Organisation
from service.organisations.operations import organisation_by_slug
from service.surveys import screen_api, screens
from service.surveys.queries import localised
from service.verification import api

bp = Blueprint("public", __name__)
# Codes one browser may ask for in an hour. Behind a proxy, FRONTLINE_PROXY_FIX must be on,
# or every visitor shares the proxy's address and this cap.
WEB_CODES_PER_HOUR = 20


@bp.context_processor
def _helpers() -> dict:
    # The command words the code step names (e.g. "reply YES"), in the page's language.
    return {"word": lambda command: word(command, str(get_locale() or languages.DEFAULT))}


@bp.get("/")
def home() -> str:
    """The first organisation's page; a deployment serving several lists them."""
    session = get_session()
    orgs = session.scalars(select(Organisation).order_by(Organisation.id)).all()
    if not orgs:
        return render_template("public/empty.html")
    if len(orgs) > 1:
        return render_template("public/organisations.html", organisations=orgs)
    return _organisation_page(orgs[0])


@bp.get("/o/<slug>/")
def organisation(slug: str) -> str:
    """An organisation's networks, this week's events and support lines."""
    try:
        org = organisation_by_slug(get_session(), slug)
    except NotFound:
        abort(404)
    return _organisation_page(org)


def _organisation_page(org: Organisation) -> str:
    session = get_session()
    language = str(get_locale() or languages.DEFAULT)
    zone = ZoneInfo(org.timezone)
    now = utcnow()
    # "This week" is today and the six days after it, in the organisation's local time.
    today = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    week_end = (today + dt.timedelta(days=7)).astimezone(dt.UTC)
    network_views = queries.networks(session, org.id, language)
    return render_template(
        "public/organisation.html",
        org=org,
        language=languages.BY_CODE[language],
        languages=languages.LANGUAGES,
        networks=network_views,
        network_names={n.id: n.name for n in network_views},
        occurrences=queries.upcoming_occurrences(
            session, org.id, start=now, end=week_end, language=language
        ),
        support_lines=queries.support_lines(session, org.id, language),
        announcements=queries.live_announcements(session, org.id, now=now, language=language),
        numbers=[n.e164 for n in org.numbers if n.sms],
        # "Have your say" while a survey open to anyone is taking answers.
        surveys=[
            localised(session, s, language)
            for s in screens.offered(session, org.id, now, site_id=None)
        ],
        join_word=word("join", language),
        speak_up_word=speak_up_word(language),
    )


def _organisation(slug: str) -> Organisation:
    try:
        return organisation_by_slug(get_session(), slug)
    except NotFound:
        abort(404)


@bp.get("/o/<slug>/n/<network_slug>")
def network(slug: str, network_slug: str) -> Response:
    """A network's page for a personal phone (posters' QR codes open it): read, then join."""
    org = _organisation(slug)
    session = get_session()
    language = str(get_locale() or languages.DEFAULT)
    views = queries.networks(session, org.id, language)
    found = next((n for n in views if n.slug == network_slug), None)
    if found is None:
        abort(404)
    now = utcnow()
    sms_number = next((n.e164 for n in org.numbers if n.sms), None)
    join_words = f"{word('join', language)} {found.typeable_keyword()}"
    page = render_template(
        "public/network.html",
        org=org,
        network=found,
        parent=next((n for n in views if n.id == found.parent_id), None),
        language=languages.BY_CODE[language],
        languages=languages.LANGUAGES,
        occurrences=queries.upcoming_occurrences(
            session,
            org.id,
            start=now,
            end=now + dt.timedelta(days=56),
            language=language,
            network_ids=[found.id],
            limit=3,
        ),
        sms_number=sms_number,
        sms_href=sms_href(sms_number, join_words) if sms_number else None,
        voice_number=next((n.e164 for n in org.numbers if n.voice), None),
        join_words=join_words,
        leave_word=word("leave", language),
        flow_config={
            "api": url_for("public.api_start", slug=org.slug)[: -len("start")],
            # No sealing key: a personal phone has no paired kiosk key to queue offline with.
            "lang": language,
        },
    )
    response = Response(page, mimetype="text/html")
    # The code step runs in this page; nothing of it belongs in a shared browser's cache.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def sms_href(number: str, body: str) -> str:
    """A tap-to-text link that opens the phone's messages with the body filled in."""
    # "?&body=" is the form both iOS (which reads "&body") and Android (which reads the query)
    # fill in; the body is percent-encoded as UTF-8, a space as %20 since iOS would show a "+".
    return f"sms:{number}?&body={quote(body, safe='')}"


@bp.post("/o/<slug>/api/start")
def api_start(slug: str) -> Response:
    """Send a code to join a network from its public page."""
    return api.start(_organisation(slug), channel="web", site_id=None, per_hour=WEB_CODES_PER_HOUR)


@bp.post("/o/<slug>/api/check")
def api_check(slug: str) -> Response:
    """Check a code typed on a public page."""
    return api.check(_organisation(slug))


@bp.get("/o/<slug>/survey/<int:survey_id>")
def survey(slug: str, survey_id: int) -> Response:
    """A survey open to anyone, one question at a time on a personal phone."""
    org = _organisation(slug)
    session = get_session()
    language = str(get_locale() or languages.DEFAULT)
    found = next(
        (s for s in screens.offered(session, org.id, utcnow(), site_id=None) if s.id == survey_id),
        None,
    )
    if found is None:
        abort(404)
    page = render_template(
        "public/survey.html",
        org=org,
        survey=localised(session, found, language),
        survey_id=found.id,
        needs_number=False,
        kiosk=False,
        survey_api=url_for("public.api_survey_start", slug=org.slug)[: -len("start")],
        language=languages.BY_CODE[language],
        languages=languages.LANGUAGES,
        flow_config={"api": url_for("public.api_start", slug=org.slug)[: -len("start")]},
    )
    response = Response(page, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _web_place() -> str:
    # No identity on a public page: unproven answers count per address (FRONTLINE_PROXY_FIX
    # must be on behind a proxy, as for codes).
    return f"web:{request.remote_addr}"


@bp.post("/o/<slug>/api/survey/start")
def api_survey_start(slug: str) -> Response:
    """Start a survey open to anyone from its public page."""
    return screen_api.start(
        _organisation(slug),
        channel="web",
        site_id=None,
        place=_web_place(),
        per_hour=screens.WEB_PER_HOUR,
    )


@bp.post("/o/<slug>/api/survey/answer")
def api_survey_answer(slug: str) -> Response:
    """Answer the question on a public page."""
    return screen_api.answer(_organisation(slug), site_id=None)


@bp.post("/o/<slug>/api/survey/back")
def api_survey_back(slug: str) -> Response:
    """Go back a question on a public page."""
    return screen_api.back(_organisation(slug), site_id=None)
