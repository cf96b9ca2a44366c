"""/console/: the managers' console, assembled from its areas; each area declares its routes."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, render_template, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from service.console import (
    auth,
    broadcast_held,
    broadcasts,
    callbacks,
    content,
    events,
    headcounts,
    home,
    kiosks,
    notices,
    print_pack,
    privacy,
    reach,
    sign_in,
    speakup,
    survey_paper,
    surveys,
    translations,
)
from service.console.forms import SignOutForm
from service.managers.permissions import can

# Every area the console serves: an area not listed here is not served.
ROUTED = (
    sign_in,
    home,
    content,
    events,
    notices,
    translations,
    broadcasts,
    broadcast_held,
    callbacks,
    print_pack,
    kiosks,
    speakup,
    reach,
    headcounts,
    surveys,
    survey_paper,
    privacy,
)


def make_blueprint() -> Blueprint:
    """The console's blueprint with every area's routes (a new one for each app)."""
    bp = Blueprint(
        "console",
        __name__,
        url_prefix="/console",
        static_folder="static",
        static_url_path="/static",
        # The console's pages and styles live beside its code.
        template_folder="templates",
    )
    bp.before_request(_time_limits)
    bp.after_request(_private)
    bp.context_processor(_menu)
    bp.register_error_handler(403, _error_page)
    # An unknown console address matches no route, so no blueprint: the app-wide handler
    # answers it with the console's page and leaves every other 404 as it was.
    bp.app_errorhandler(404)(_not_found)
    for area in ROUTED:
        area.routes.register(bp)
    return bp


def _time_limits() -> None:
    # flask-wtf caches the CSRF token on the app context, which the tests share across
    # requests (as the CLI does): each request must take its token from its own session.
    g.pop("csrf_token", None)
    # So does flask-login's signed-in user: each request loads it from its own cookie.
    g.pop("_login_user", None)
    auth.enforce_time_limits()


def _not_found(error: HTTPException) -> Response | HTTPException:
    if request.path == "/console" or request.path.startswith("/console/"):
        return _error_page(error)
    return error


def _error_page(error: HTTPException) -> Response:
    """A refusal or a missing page inside the console, with its menu to carry on from."""
    if request.blueprint != "console":  # outside a console route: no before_request ran
        auth.enforce_time_limits()
    status = error.code or 500
    page = render_template("console/error.html", status=status, **_menu())
    return _private(Response(page, status=status, mimetype="text/html"))


def _private(response: Response) -> Response:
    # Console pages show who is in which network: never cached (nor framed: http_security).
    response.headers["Cache-Control"] = "no-store"
    # Same-origin only: flask-wtf checks the Referer of every HTTPS post against our host.
    response.headers["Referrer-Policy"] = "same-origin"
    return response


# The console's areas, in menu order: (action, endpoint, menu label, what the home page says).
AREAS = (
    ("content.edit", "console.content_home", "Content", "Edit networks, events and support"),
    (
        "content.edit",
        "console.translation_review",
        "Translations",
        "See which translations a native speaker has reviewed",
    ),
    ("broadcast.send", "console.broadcasts", "Broadcasts", "Send a text to members"),
    ("callbacks.handle", "console.callbacks", "Call-backs", "Call back people who asked"),
    ("print.download", "console.print_pack", "Print", "Print a noticeboard pack"),
    ("print.posters", "console.print_posters", "Posters", "Print posters for a network"),
    ("kiosk.settings", "console.kiosk_settings", "Kiosks", "Set up a site's kiosk"),
    ("speakup.cases", "console.speakup_cases", "Speak-up", "Read and answer speak-up cases"),
    ("reach.view", "console.reach", "Reach", "See who the networks reach"),
    ("surveys.run", "console.surveys_list", "Surveys", "Ask staff what they think, anonymously"),
    ("data.export", "console.privacy", "Privacy", "Export or erase what is held about a number"),
    ("audit.view", "console.audit_log", "Audit log", "Audit log"),
)


def _menu() -> dict:
    """The menu of areas the signed-in manager may use (none before sign-in)."""
    if not current_user.is_authenticated:
        return {"menu": [], "sign_out": None}
    manager = auth.manager()
    menu = [
        (endpoint, label, description)
        for action, endpoint, label, description in AREAS
        if endpoint in current_app.view_functions and can(manager, action)
    ]
    return {"menu": menu, "sign_out": SignOutForm()}
