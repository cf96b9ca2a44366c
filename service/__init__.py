"""Frontline Connect: one content store, four channels (SMS, voice, kiosk, print)."""

from __future__ import annotations

import datetime as dt

import flask_babel
from flask import Flask, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from service import (
    application,
    catalogs,
    db,
    extensions,
    hashing,
    http_security,
    languages,
    log,
    observe,
    outage,
    web_session,
)
from service.config import Config, from_env, validate, with_dev_secrets
from service.crypto import Vault


def _blueprints(config: Config) -> list:
    # One visible list: a blueprint that is not here is not served.
    from kiosk.blueprint import make_assets_blueprint as kiosk_assets
    from kiosk.blueprint import make_blueprint as kiosk
    from service.console.blueprint import make_blueprint as console_blueprint
    from service.devtools.views import bp as devtools
    from service.health import bp as health
    from service.outbox.views import bp as outbox
    from service.public.views import bp as public
    from service.sms.views import bp as sms
    from service.voice.views import bp as voice

    served = [public, kiosk(), kiosk_assets(), sms, outbox, voice, console_blueprint(), health]
    return served + ([devtools] if config.DEV_TOOLS else [])


def select_locale() -> str:
    """The language asked for in the query string, else the page's default, else the browser's."""
    asked = request.args.get("lang", "")
    if languages.is_supported(asked):
        return asked
    # A kiosk speaks its site's language until someone picks another, whatever the browser says.
    if g.get("default_language"):
        return g.default_language
    return request.accept_languages.best_match(languages.CODES) or languages.DEFAULT


def _choose_language_afresh() -> None:
    # flask_babel.refresh empties what flask-babel keeps on the app context (g._flask_babel).
    # A fresh context, every request's under gunicorn, holds nothing to empty: refresh made the
    # holder only to find it empty (tests/test_public.py asks two languages in one context).
    if "_flask_babel" in g:
        flask_babel.refresh()


def create_app(config: Config | None = None) -> Flask:
    """Build the application for a configuration (read from the environment when None)."""
    # Every model must be mapped before the first flush, in workers and CLI commands too.
    import service.models  # noqa: F401

    config = with_dev_secrets(validate(config if config is not None else from_env()))
    log.configure(config.LOG_LEVEL, config.LOG_FORMAT)
    hashing.configure(config.ARGON2_PROFILE)
    catalogs.log_coverage()
    app = application.Frontline(__name__, instance_path=config.INSTANCE_DIR)
    https = config.PUBLIC_URL.startswith("https://")
    app.config.update(
        FRONTLINE=config,
        SECRET_KEY=config.SECRET_KEY,
        BABEL_TRANSLATION_DIRECTORIES=str(catalogs.directory()),
        BABEL_DEFAULT_TIMEZONE=config.TIMEZONE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https,
        # __Host-: only ever sent over HTTPS, to this host, for every path; no subdomain can
        # plant or read it. Plain HTTP (make run on 127.0.0.1) cannot use the prefix.
        SESSION_COOKIE_NAME="__Host-frontline" if https else "frontline",
        REMEMBER_COOKIE_SECURE=https,
        REMEMBER_COOKIE_HTTPONLY=True,
        # A signed-in session lasts 12 hours at most (the console also ends it after 30 idle
        # minutes); the cookie ends with the browser.
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=12),
    )
    # Twilio's webhooks carry no cookie: they get no session to open, sign or save.
    app.session_interface = web_session.CookieSessionExceptWebhooks()
    http_security.register(app)
    if config.PROXY_FIX:
        # One trusted proxy in front: take scheme, host and client address from it.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1)  # type: ignore[method-assign]
    extensions.configure_queue(config)
    from service.tasks import delete_recordings, queue_fan_out, queue_outbox

    db.init_app(
        app,
        db.Database(
            config.database_url,
            Vault(config.DATA_KEY, old_keys=config.old_data_keys),
            queue_outbox,
            delete_recordings,
            queue_fan_out,
        ),
    )
    extensions.babel.init_app(app, locale_selector=select_locale)
    # The signed-in console's hooks: CSRF's check and the remember-me cookie's refresh, which
    # Twilio's webhooks (no session, no cookie) skip (service.application).
    with app.hooks_for_browsers():
        extensions.login_manager.init_app(app)
        extensions.csrf.init_app(app)
    # flask-babel caches the locale on the app context, which the CLI and the phone simulator
    # reuse across requests: every request chooses its own language afresh.
    app.before_request(_choose_language_afresh)
    observe.register(app)
    _register_filters(app)
    outage.register(app)
    for blueprint in _blueprints(config):
        app.register_blueprint(blueprint)
        # Only the console has signed-in users and forms; Twilio's webhooks, the kiosk and the
        # public pages carry no session to ride on and are checked in their own ways.
        if blueprint.name != "console":
            extensions.csrf.exempt(blueprint)
    return app


def _register_filters(app: Flask) -> None:
    from flask_babel import get_locale
    from markupsafe import Markup

    from service import assets, formatting

    app.add_template_global(assets.static_url, "static_url")
    app.add_template_filter(formatting.phone, "phone")
    # Numbers keep their left-to-right digit groups inside right-to-left (Urdu) text.
    app.add_template_filter(
        lambda number: Markup('<bdi dir="ltr">%s</bdi>') % formatting.phone(number), "phone_bdi"
    )
    # A keyword people type: kept left to right and together, even inside Urdu.
    app.add_template_filter(
        lambda words: Markup('<strong class="keyword" dir="ltr">%s</strong>') % words, "keyword"
    )
    # Inside an Urdu line: numbers and English keywords isolated, so they keep their order.
    app.add_template_filter(formatting.isolate_ltr_runs, "ltr_runs")
    # A number inside translated text, isolated so a right-to-left line keeps it whole.
    app.add_template_filter(lambda n: Markup("<bdi>%s</bdi>") % n, "bdi")
    app.add_template_filter(
        lambda moment: formatting.when(moment, str(get_locale() or languages.DEFAULT)), "when"
    )
