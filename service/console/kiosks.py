"""/console/kiosks: a site manager turns their kiosk on and picks the language it starts in."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

from service import languages
from service.audit import operations as audit
from service.console import auth
from service.console.content_forms import ConfirmForm
from service.db import get_session
from service.errors import DomainError
from service.managers.permissions import can
from service.organisations import operations as organisations
from service.organisations.kiosk_keys import pair_kiosk, paired_kiosks, unpair_kiosks
from service.organisations.models import Site
from service.routes import Routes

routes = Routes()


def _sites() -> list[Site]:
    manager = auth.manager()
    rows = get_session().scalars(
        select(Site).where(Site.organisation_id == manager.organisation_id).order_by(Site.name)
    )
    return [s for s in rows if can(manager, "kiosk.settings", site_id=s.id)]


@routes.get("/kiosks")
@auth.requires("kiosk.settings")
def kiosk_settings():
    """Each site the manager looks after: its kiosk's address, state and starting language."""
    return _page()


def _page(issued: dict[int, str] | None = None):
    sites = _sites()
    return render_template(
        "console/kiosks.html",
        sites=sites,
        paired={s.id: len(paired_kiosks(get_session(), s)) for s in sites},
        languages=languages.LANGUAGES,
        form=ConfirmForm(),
        issued=issued or {},
    )


def _posted_site(site_id: int) -> Site:
    # A site the manager may not set up is refused before the form is even read.
    site = _site(site_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return site


@routes.post("/kiosks/<int:site_id>/credential")
@auth.requires("kiosk.settings")
def kiosk_credential(site_id: int):
    """Issue the site's kiosk PC a new credential: its link is shown on this page, once."""
    site = _posted_site(site_id)
    manager, session = auth.manager(), get_session()
    credential = organisations.issue_kiosk_credential(session, site)
    audit.record(session, manager.organisation_id, manager.id, "kiosk.credential", site=site.slug)
    session.commit()
    # Rendered, not flashed: the session cookie is signed, not secret. The credential rides
    # in the fragment, which browsers never send to a server or write to its logs.
    link = url_for("kiosk.register", site_slug=site.slug, _external=True) + "#" + credential
    response = _page({site.id: link})
    return response, 200, {"Cache-Control": "no-store"}


@routes.post("/kiosks/<int:site_id>")
@auth.requires("kiosk.settings")
def kiosk_save(site_id: int):
    """Save one site's kiosk settings."""
    site = _posted_site(site_id)
    manager, session = auth.manager(), get_session()
    try:
        changed = organisations.set_kiosk(
            session,
            site,
            enabled=request.form.get("enabled") == "on",
            default_language=request.form.get("default_language", ""),
        )
    except DomainError as exc:
        session.rollback()
        flash(f"Nothing was saved. {getattr(exc, 'message', exc)}.")
        return redirect(url_for("console.kiosk_settings"))
    if changed:
        audit.record(
            session,
            manager.organisation_id,
            manager.id,
            "kiosk.settings",
            site=site.slug,
            fields=changed,
        )
    session.commit()
    flash(f"Saved the kiosk at {site.name}.", "success")
    return redirect(url_for("console.kiosk_settings"))


def _site(site_id: int) -> Site:
    site = next((s for s in _sites() if s.id == site_id), None)
    if site is None:
        abort(403)
    return site


@routes.post("/kiosks/<int:site_id>/pair")
@auth.requires("kiosk.settings")
def kiosk_pair(site_id: int):
    """Trust this PC as the site's kiosk: record the public key its browser just made."""
    site, manager, session = _site(site_id), auth.manager(), get_session()
    body = request.get_json(silent=True) or {}
    try:
        key = pair_kiosk(session, site, body.get("public_key"))
    except DomainError:
        session.rollback()
        return jsonify(error="public_key"), 400
    audit.record(
        session, manager.organisation_id, manager.id, "kiosk.paired", site=site.slug, kiosk=key.id
    )
    session.commit()
    return jsonify(kiosk=key.id, site=site.id)


@routes.post("/kiosks/<int:site_id>/unpair")
@auth.requires("kiosk.settings")
def kiosk_unpair(site_id: int):
    """Stop trusting every PC paired to the site; each must be paired again to queue offline."""
    site, manager, session = _posted_site(site_id), auth.manager(), get_session()
    count = unpair_kiosks(session, site)
    audit.record(
        session, manager.organisation_id, manager.id, "kiosk.unpaired", site=site.slug, count=count
    )
    session.commit()
    flash(f"Unpaired {count} PC(s) at {site.name}.", "success")
    return redirect(url_for("console.kiosk_settings"))
