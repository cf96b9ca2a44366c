"""/kiosk/<site>/: the kiosk's blueprint, assembled from its pages and its speak-up area."""

from __future__ import annotations

from flask import Blueprint, Response, abort, g

from kiosk import content, speakup, surveys, views
from service.db import get_session
from service.errors import NotFound
from service.organisations.models import Organisation


def make_blueprint() -> Blueprint:
    """The kiosk's pages and API for every site (a new blueprint for each app)."""
    bp = Blueprint("kiosk", __name__, url_prefix="/kiosk/<site_slug>", template_folder="templates")
    bp.url_value_preprocessor(_load_site)
    bp.url_defaults(_site_in_urls)
    bp.after_request(_shared_device_headers)
    # The kiosk's template helpers serve the kiosk's templates only.
    bp.context_processor(views.template_helpers)
    for area in (views, speakup, surveys):
        area.routes.register(bp)
    return bp


def make_assets_blueprint() -> Blueprint:
    """Scripts and styles, shared by every site's kiosk and by the public pages for phones."""
    return Blueprint(
        "kiosk_assets", __name__, static_folder="static", static_url_path="/kiosk/static"
    )


def _load_site(_endpoint: str | None, values: dict | None) -> None:
    slug = (values or {}).pop("site_slug", "")
    try:
        g.site = content.kiosk_site(get_session(), slug)
    except NotFound:
        abort(404)
    g.org = get_session().get_one(Organisation, g.site.organisation_id)
    # The kiosk starts in the site's language, not the last visitor's browser's.
    g.default_language = g.site.default_language


def _site_in_urls(endpoint: str, values: dict) -> None:
    if "site_slug" not in values and "site" in g:
        values["site_slug"] = g.site.slug


def _shared_device_headers(response: Response) -> Response:
    # Nothing a person did may linger in the browser's HTTP cache; the service worker keeps
    # its own copy of the content pages, which hold no one's data.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    # The Content-Security-Policy, nosniff and no framing: service/http_security.py.
    return response
