"""/kiosk/<site>/: pages for a shared touchscreen, and the code step under /kiosk/<site>/api/."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Response,
    abort,
    current_app,
    g,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale

from kiosk import content
from service import languages
from service.assets import digest, static_url
from service.config import get_config
from service.contacts.operations import CONSENT_VERSION
from service.content import queries
from service.db import get_session, utcnow
from service.messaging.replies import where, word
from service.organisations.models import Site
from service.organisations.operations import kiosk_credential_matches
from service.routes import Routes
from service.surveys import screen_api, screens
from service.surveys.queries import localised
from service.verification import api, visit_api
from service.verification.sealing import LIFETIME as SEAL_LIFETIME
from service.verification.sealing import public_key

routes = Routes()
# What the service worker keeps for offline use. Its cache is named after a digest of these
# files and of the worker itself: a change to any of them makes every kiosk drop the old copies.
CACHED_ASSETS = ("kiosk.css", "kiosk.js", "hpke.js", "frontline.js", "speakup.js", "survey.js")
HERE = Path(__file__).parent
# Seconds: idle before "Still there?", then how long that question waits (WCAG 2.2.1).
IDLE_SECONDS = 60
PRECACHED = (
    "kiosk.home",
    "kiosk.networks",
    "kiosk.events",
    "kiosk.support",
    "kiosk.language",
    "kiosk.speak_up",
)
WARNING_SECONDS = 20
# Codes and texts a registered kiosk PC may ask for in an hour: a whole shift uses one screen.
KIOSK_CODES_PER_HOUR = 200
# Without the kiosk's credential the path alone is worth no more than any browser's.
UNREGISTERED_CODES_PER_HOUR = 20
# How often an idle kiosk asks whether the content changed.
REFRESH_SECONDS = 60


def assets_version() -> str:
    """A digest of the files the service worker keeps offline, and of the worker itself."""
    return digest(
        *(HERE / "static" / name for name in CACHED_ASSETS), HERE / "templates" / "kiosk" / "sw.js"
    )


def _language() -> str:
    return str(get_locale() or languages.DEFAULT)


def language_code() -> str:
    """The screen's language."""
    return _language()


def render_page(template: str, **values: object) -> str:
    """A kiosk page: the bar, "Still there?" and the scripts' settings around the template."""
    return _render(template, **values)


def _render(template: str, **values: object) -> str:
    site: Site = g.site
    language = _language()
    return render_template(
        template,
        site=site,
        org=g.org,
        language=languages.BY_CODE[language],
        languages=languages.LANGUAGES,
        sms_number=next((n.e164 for n in g.org.numbers if n.sms), None),
        voice_number=next((n.e164 for n in g.org.numbers if n.voice), None),
        kiosk_config=(
            {
                "home": url_for("kiosk.home", lang=site.default_language),
                "start": url_for("kiosk.home", lang=language),
                "reset": url_for("kiosk.reset"),
                "visit": url_for("kiosk.api_visit"),
                "version": url_for("kiosk.version", lang=language),
                "worker": url_for("kiosk.service_worker"),
                "scope": url_for("kiosk.home"),
                "contentVersion": content.content_version(
                    get_session(), g.org, site, language, utcnow()
                ),
                "assets": assets_version(),
                "refresh": REFRESH_SECONDS,
                # Nobody needs asking "Still there?" on the start screen in its own language.
                "atStart": request.endpoint == "kiosk.home" and language == site.default_language,
                "idle": IDLE_SECONDS,
                "warning": WARNING_SECONDS,
            }
        ),
        flow_config=(
            {
                "api": url_for("kiosk.home") + "api/",
                "lang": language,
                # A kiosk keeps a proven number for the rest of a visit (visits.py).
                "visits": True,
                # What a request queued offline is sealed to and bound to (sealing.py).
                "sealKey": public_key(get_config().DATA_KEY),
                "org": g.org.id,
                "site": site.id,
                "sealLifetime": int(SEAL_LIFETIME.total_seconds()),
                # Loaded only when a request is queued; the service worker keeps it offline.
                "hpke": static_url("kiosk_assets.static", "hpke.js"),
            }
        ),
        **values,
    )


def kurl(endpoint: str, **values: object) -> str:
    """A kiosk URL that keeps the language the person chose."""
    values.setdefault("lang", _language())
    return url_for(endpoint, **values)


def template_helpers() -> dict:
    """What the kiosk's templates call: its URLs, occurrence stamps, command words."""
    return {
        "kurl": kurl,
        "stamp": content.occurrence_stamp,
        "word": lambda command: word(command, _language()),
    }


@routes.get("/")
def home() -> str:
    """Big buttons: networks, what's on, support, language, speak up; then any news."""
    session = get_session()
    now = utcnow()
    news = queries.live_announcements(session, g.org.id, now=now, language=_language())
    # "Have your say" while a survey is open to the people at this kiosk.
    asking = [
        localised(session, s, _language())
        for s in screens.offered(session, g.org.id, now, site_id=g.site.id)
    ]
    return _render("kiosk/home.html", news=news, surveys=asking)


@routes.get("/networks")
def networks() -> str:
    """Every network, sub-groups under their parent."""
    views = queries.networks(get_session(), g.org.id, _language())
    return _render("kiosk/networks.html", networks=views)


@routes.get("/networks/<slug>")
def network(slug: str) -> str:
    """One network: what it is, what is next, how to join."""
    session = get_session()
    language = _language()
    views = queries.networks(session, g.org.id, language)
    found = next((n for n in views if n.slug == slug), None)
    if found is None:
        abort(404)
    now = utcnow()
    upcoming = queries.upcoming_occurrences(
        session,
        g.org.id,
        start=now,
        end=now + content.HORIZON * 4,
        language=language,
        network_ids=[found.id],
        limit=3,
    )
    return _render(
        "kiosk/network.html",
        network=found,
        parent=next((n for n in views if n.id == found.parent_id), None),
        children=[n for n in views if n.parent_id == found.id],
        occurrences=upcoming,
        consent_version=CONSENT_VERSION,
    )


@routes.get("/events")
def events() -> str:
    """Sessions at this site, then those anyone can join by phone, then meetings elsewhere."""
    session = get_session()
    language = _language()
    on = content.whats_on(session, g.org, g.site, language, utcnow())
    names = {n.id: n.name for n in queries.networks(session, g.org.id, language)}
    return _render("kiosk/events.html", on=on, network_names=names, where=where)


@routes.get("/events/<int:event_id>/<stamp>")
def event(event_id: int, stamp: str) -> str:
    """One occurrence: details, "text me this" and "I'm going"."""
    try:
        start = content.parse_stamp(stamp)
    except ValueError:
        abort(404)
    found = queries.find_occurrence(get_session(), g.org.id, event_id, start, _language())
    if found is None or found.ends_at <= utcnow():
        abort(404)
    return _render("kiosk/event.html", occurrence=found)


@routes.get("/support")
def support() -> str:
    """The crisis line first, support lines with their hours, and "ask someone to call me"."""
    lines = queries.support_lines(get_session(), g.org.id, _language())
    return _render("kiosk/support.html", lines=lines)


@routes.get("/language")
def language() -> str:
    """Every language, each named in its own script."""
    return _render("kiosk/language.html")


@routes.get("/speak-up")
def speak_up() -> str:
    """Raise a concern without a name, or follow one with its code; and who else listens."""
    lines = queries.support_lines(get_session(), g.org.id, _language())
    return _render("kiosk/speak_up.html", lines=lines)


@routes.get("/version")
def version() -> Response:
    """A digest of the content, so an idle kiosk reloads itself when a manager publishes."""
    current = content.content_version(get_session(), g.org, g.site, _language(), utcnow())
    return current_app.json.response({"version": current, "assets": assets_version()})


@routes.get("/sw.js")
def service_worker() -> Response:
    """The service worker, scoped to this site's kiosk pages."""
    # Every language's content pages, so a kiosk that loses its network keeps working in the
    # language each person picks; event pages are cached as people open them.
    slugs = [n.slug for n in queries.networks(get_session(), g.org.id, languages.DEFAULT)]
    pages = [
        url_for(endpoint, lang=lang.code, **values)
        for lang in languages.LANGUAGES
        for endpoint, values in [
            *((e, {}) for e in PRECACHED),
            *(("kiosk.network", {"slug": s}) for s in slugs),
        ]
    ]
    assets = [static_url("kiosk_assets.static", name) for name in CACHED_ASSETS]
    prefix = f"kiosk-{g.site.slug}-"
    script = render_template(
        "kiosk/sw.js",
        cache=f"{prefix}v{assets_version()}",
        prefix=prefix,
        precache=pages + assets,
        home=url_for("kiosk.home", lang=g.site.default_language),
    )
    response = Response(script, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = url_for("kiosk.home")
    return response


@routes.post("/reset")
def reset() -> Response:
    """Called when a person walks away: the browser forgets cookies and its HTTP cache.

    The visit the page held ends here too, so its number needs a new code from now on.
    """
    body = request.get_json(silent=True)
    visit_api.end(g.org, g.site, body)
    # A survey left part way by someone who proved no number: their answers so far go.
    screen_api.forget(g.org, site_id=g.site.id, body=body)
    response = Response(status=204)
    # Not "storage": that would also drop the offline queue, which holds only sealed data.
    response.headers["Clear-Site-Data"] = '"cache", "cookies"'
    return response


@routes.get("/register")
def register() -> str:
    """Where the console's one-off link lands: the page keeps the kiosk's credential."""
    return _render("kiosk/register.html")


def _per_hour() -> int:
    presented = request.headers.get("X-Kiosk-Credential")
    if kiosk_credential_matches(g.site, presented):
        return KIOSK_CODES_PER_HOUR
    return UNREGISTERED_CODES_PER_HOUR


@routes.post("/api/start")
def api_start() -> Response:
    """Send a code for a join, RSVP or call back asked for at this kiosk."""
    return api.start(g.org, channel="kiosk", site_id=g.site.id, per_hour=_per_hour())


@routes.post("/api/queued")
def api_queued() -> Response:
    """A request this site's paired kiosk sealed while offline, sent now the network is back."""
    return api.queued(g.org, g.site, channel="kiosk", per_hour=KIOSK_CODES_PER_HOUR)


@routes.post("/api/check")
def api_check() -> Response:
    """Check a code typed at this kiosk."""
    return api.check(g.org)


@routes.post("/api/text-me")
def api_text_me() -> Response:
    """Text an event's details to the number typed."""
    return api.text_me(g.org, channel="kiosk", per_hour=_per_hour())


@routes.post("/api/visit")
def api_visit() -> Response:
    """The number this visit proved, masked, while the visit lasts."""
    return visit_api.look(g.org, g.site)


@routes.post("/api/visit/act")
def api_visit_act() -> Response:
    """A join, RSVP or call back for the number this visit proved: no new code."""
    return visit_api.act(g.org, g.site)


@routes.post("/api/visit/text-me")
def api_visit_text_me() -> Response:
    """Text an event's details to the number this visit proved."""
    return visit_api.text_me(g.org, g.site, per_hour=_per_hour())
