"""/console/privacy: find a person by their number, export what is held, or erase it all."""

from __future__ import annotations

import json

from flask import abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from print_templates.subject_access import build_pdf
from service.audit import operations as audit
from service.config import get_config
from service.console import auth
from service.console.shared import download
from service.contacts import operations as contacts
from service.contacts.models import Contact
from service.contacts.phone import display, masked, normalise
from service.db import get_session, utcnow
from service.errors import InvalidPhoneNumber
from service.managers.permissions import can
from service.privacy import operations as privacy
from service.privacy.erasure import erase_contact
from service.routes import Routes

routes = Routes()


class FindForm(FlaskForm):
    """The number a person gave when they asked for their data or for erasure."""

    phone = StringField(
        "Their phone number",
        validators=[DataRequired(), Length(max=40)],
        render_kw={"autocomplete": "off", "inputmode": "tel"},
    )


class ExportForm(FlaskForm):
    """An export button: a post (never a link), so the download is deliberate and audited."""


class EraseForm(FlaskForm):
    """Erasure cannot be undone: the admin ticks a box to say they know."""

    confirm = BooleanField(
        "I have checked this is the person who asked, and I understand this cannot be undone",
        validators=[DataRequired("Tick the box to confirm the erasure.")],
    )


def _contact(contact_id: int) -> Contact:
    """The contact, only from the admin's own organisation."""
    contact = get_session().get(Contact, contact_id)
    if contact is None or contact.organisation_id != auth.manager().organisation_id:
        abort(404)
    return contact


def _person_page(contact: Contact, shown: str, erase: EraseForm | None = None, status: int = 200):
    manager = auth.manager()
    return render_template(
        "console/privacy_person.html",
        contact=contact,
        shown=shown,
        holdings=privacy.holdings(get_session(), contact),
        export=ExportForm(),
        erase=(erase or EraseForm()) if can(manager, "data.erase") else None,
    ), status


@routes.route("/privacy", methods=["GET", "POST"], endpoint="privacy")
@auth.requires("data.export")
def privacy_find():
    """Type the number a person gave; see what is held about it, then export or erase."""
    form = FindForm()
    if not form.validate_on_submit():
        return render_template("console/privacy.html", form=form), 400 if form.errors else 200
    try:
        e164 = normalise(form.phone.data)
    except InvalidPhoneNumber:
        form.phone.errors = ["That is not a UK number we could have texted (07… or +44…)."]
        return render_template("console/privacy.html", form=form), 400
    session = get_session()
    manager = auth.manager()
    contact = contacts.find_contact(session, manager.organisation_id, e164)
    # Who looked a number up, when, and what it found (a contact's reference, never the number).
    audit.record(
        session,
        manager.organisation_id,
        manager.id,
        "data.lookup",
        found=contact is not None,
        contact=contact.id if contact else None,
    )
    session.commit()
    if contact is None:
        return render_template("console/privacy.html", form=form, nothing=display(e164))
    # The admin has just typed this number: showing it back is no disclosure.
    return _person_page(contact, display(e164))


@routes.post("/privacy/<int:contact_id>/export.<any(json, pdf):kind>")
@auth.requires("data.export")
def privacy_export(contact_id: int, kind: str):
    """Download everything held about the contact, as JSON or as a readable PDF."""
    if not ExportForm().validate_on_submit():
        abort(400)
    contact = _contact(contact_id)
    session = get_session()
    now = utcnow()
    export = privacy.subject_access(session, contact, now)
    if kind == "json":
        body = json.dumps(export, ensure_ascii=False, indent=2).encode()
        mimetype = "application/json"
    else:
        body = build_pdf(export, get_config().zone)
        mimetype = "application/pdf"
    manager = auth.manager()
    audit.record(
        session, manager.organisation_id, manager.id, "data.export", contact=contact.id, format=kind
    )
    session.commit()
    # The file name carries the contact's reference, never the number.
    return download(body, mimetype, f"subject-access-{contact.id}-{now.date().isoformat()}.{kind}")


@routes.post("/privacy/<int:contact_id>/erase")
@auth.requires("data.erase")
def privacy_erase(contact_id: int):
    """Erase the contact and everything about them; only anonymous reach counts stay."""
    contact = _contact(contact_id)
    form = EraseForm()
    if not form.validate_on_submit():
        # Not typed on this page: the number is shown masked.
        return _person_page(contact, masked(contact.phone), form, 400)
    session = get_session()
    manager = auth.manager()
    erased = {h.kind: h.count for h in privacy.holdings(session, contact) if h.count}
    erasure = erase_contact(session, contact)
    audit.record(
        session,
        manager.organisation_id,
        manager.id,
        "data.erase",
        contact=contact_id,
        rows=erased,
        twilio=erasure,
    )
    session.commit()
    flash(
        f"Erased. Everything held about that number is deleted (it was contact {contact_id})."
        " Its texts, calls and voicemails at Twilio are being deleted too; the audit log says"
        " when that is done.",
        "success",
    )
    return redirect(url_for("console.privacy"))
