"""/console/reach/headcounts: an admin enters how many staff work at each site (no names)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from service.audit import operations as audit
from service.console import auth
from service.console.content_forms import ConfirmForm
from service.db import get_session
from service.errors import ValidationError
from service.organisations import operations as organisations
from service.organisations.models import Site
from service.routes import Routes

routes = Routes()


def _sites() -> list[Site]:
    # Only the signed-in admin's own organisation: another's site ids are never read.
    return list(
        get_session().scalars(
            select(Site)
            .where(Site.organisation_id == auth.manager().organisation_id)
            .order_by(Site.name, Site.id)
        )
    )


def _field(site: Site) -> str:
    return f"headcount-{site.id}"


def _parse(text: str) -> int | None:
    """A typed headcount: blank is "not known"; "1,250" and " 1250 " are 1250."""
    cleaned = text.replace(",", "").replace(" ", "").strip()
    if not cleaned:
        return None
    if not cleaned.isascii() or not cleaned.isdigit():
        raise ValidationError("headcount", "must be a whole number")
    return int(cleaned)


@routes.get("/reach/headcounts")
@auth.requires("reach.headcount")
def headcounts():
    """Each site with the number of staff who work there, to be filled in or corrected."""
    return render_template(
        "console/headcounts.html", sites=_sites(), form=ConfirmForm(), errors={}, typed={}
    )


@routes.post("/reach/headcounts")
@auth.requires("reach.headcount")
def headcounts_save():
    """Save every site's headcount at once; nothing is saved if any one is not a number."""
    form, session, manager = ConfirmForm(), get_session(), auth.manager()
    if not form.validate_on_submit():
        return "The form expired; reload the page.", 400
    sites = _sites()
    typed = {site.id: request.form.get(_field(site), "") for site in sites}
    errors, changed = {}, {}
    for site in sites:
        try:
            value = _parse(typed[site.id])
            if organisations.set_headcount(session, site, value):
                changed[site.slug] = value
        except ValidationError as exc:
            errors[site.id] = f"{site.name}: the headcount {exc.message}."
    if errors:
        session.rollback()
        page = render_template(
            "console/headcounts.html", sites=_sites(), form=form, errors=errors, typed=typed
        )
        return page, 400
    audit.record(session, manager.organisation_id, manager.id, "reach.headcount", **changed)
    session.commit()
    flash("Saved the headcounts.", "success")
    return redirect(url_for("console.headcounts"))
