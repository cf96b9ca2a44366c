"""/console/print: a site's noticeboard pack, or a network's posters alone (a lead's own)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from service.audit import operations as audit
from service.config import get_config
from service.console import auth
from service.console.forms import PostersForm, PrintForm, SignOutForm
from service.console.shared import download
from service.content.models import Network
from service.db import get_session, utcnow
from service.errors import DomainError
from service.managers.permissions import can, can_everywhere
from service.organisations.models import Organisation, Site
from service.printing import operations as printing
from service.reach.operations import count_reach
from service.routes import Routes

routes = Routes()


@routes.route("/print", methods=["GET", "POST"])
@auth.requires("print.download")
def print_pack():
    """Choose a site, languages and paper; download the noticeboard pack."""
    manager = auth.manager()
    session = get_session()
    sites = session.scalars(
        select(Site).where(Site.organisation_id == manager.organisation_id).order_by(Site.name)
    ).all()
    allowed = [s for s in sites if can(manager, "print.download", site_id=s.id)]
    form = PrintForm()
    form.site.choices = [SelectChoice(s.id, s.name) for s in allowed]
    if form.validate_on_submit():
        site = next(s for s in allowed if s.id == form.site.data)
        try:
            pack = _build(site, form)
        except DomainError as exc:
            session.rollback()
            flash(str(exc))
            return _print_page(form, 400)
        return _handed_over(pack, site, form, "print.download", f"pack-{site.slug}")
    return _print_page(form)


def _build(site: Site, form: PrintForm | PostersForm, **only) -> printing.Pack:
    # Both forms ask the same of the paper: languages, size and large print.
    return printing.build_pack(
        get_session(),
        site,
        tuple(form.langs.data),
        size=form.size.data,
        large_print=form.large_print.data,
        public_url=get_config().PUBLIC_URL,
        now=utcnow(),
        **only,
    )


def _handed_over(
    pack: printing.Pack, site: Site, form: PrintForm | PostersForm, action: str, name: str, **more
) -> Response:
    # Every download is audited and counted as the site's print reach before the PDF goes.
    manager, session = auth.manager(), get_session()
    audit.record(
        session,
        manager.organisation_id,
        manager.id,
        action,
        **more,
        site=site.slug,
        languages=form.langs.data,
        code=pack.code,
        pages=pack.pages,
    )
    count_reach(
        session, manager.organisation_id, measure="download", channel="print", site_id=site.id
    )
    session.commit()
    # The day as the organisation's noticeboards have it (the footer's "Printed" date), from
    # the service's clock: the machine's local date is a day out late on a summer evening.
    org = session.get_one(Organisation, manager.organisation_id)
    today = utcnow().astimezone(ZoneInfo(org.timezone)).date().isoformat()
    return download(pack.pdf, "application/pdf", f"{name}-{today}-{pack.code}.pdf")


def _print_page(form: PrintForm, status: int = 200):
    manager = auth.manager()
    org = get_session().get_one(Organisation, manager.organisation_id)
    everywhere = can_everywhere(manager, "print.download")
    return render_template(
        "console/print.html",
        form=form,
        settings=SignOutForm() if everywhere else None,
        discreet=org.print_discreet_names,
    ), status


@routes.post("/print/settings")
@auth.requires("print.download")
def print_settings():
    """Admins choose whether posters name sensitive networks discreetly, for every site."""
    manager, session = auth.manager(), get_session()
    if not can_everywhere(manager, "print.download"):
        abort(403)
    if not SignOutForm().validate_on_submit():  # nothing but the CSRF token
        abort(400)
    org = session.get_one(Organisation, manager.organisation_id)
    org.print_discreet_names = request.form.get("discreet") == "on"
    audit.record(
        session, org.id, manager.id, "print.settings", discreet_names=org.print_discreet_names
    )
    session.commit()
    flash("Saved. Packs downloaded from now on follow this.", "success")
    return redirect(url_for("console.print_pack"))


@routes.route("/print/posters", methods=["GET", "POST"])
@auth.requires("print.posters")
def print_posters():
    """Download posters for networks the manager may print (a lead: their own) and no others."""
    manager, session = auth.manager(), get_session()
    networks = session.scalars(
        select(Network)
        .where(Network.organisation_id == manager.organisation_id)
        .order_by(Network.name)
    ).all()
    allowed = {n.id for n in networks if can(manager, "print.posters", network_id=n.id)}
    # Asked for a network that is not theirs (another network's, another organisation's, or
    # none at all): refused outright, before anything is built or recorded.
    asked = request.form.getlist("networks") if request.method == "POST" else []
    if any(not raw.isdigit() or int(raw) not in allowed for raw in asked):
        abort(403)
    form = PostersForm()
    form.networks.choices = [SelectChoice(n.id, n.name) for n in networks if n.id in allowed]
    sites = session.scalars(
        select(Site).where(Site.organisation_id == manager.organisation_id).order_by(Site.name)
    ).all()
    form.site.choices = [SelectChoice(s.id, s.name) for s in sites]
    if form.validate_on_submit():
        site = next(s for s in sites if s.id == form.site.data)
        chosen = sorted(set(form.networks.data))
        try:
            pack = _build(site, form, network_ids=chosen)
        except DomainError as exc:
            session.rollback()
            flash(str(exc))
            return render_template("console/posters.html", form=form), 400
        slugs = "-".join(n.slug for n in networks if n.id in chosen)
        return _handed_over(pack, site, form, "print.posters", f"posters-{slugs}", networks=chosen)
    return render_template("console/posters.html", form=form), 400 if form.errors else 200
