"""/console/content: support lines and announcements, and deleting content."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for

from service.audit import operations as audit
from service.console import auth
from service.console.content_forms import AnnouncementForm, ConfirmForm, SupportLineForm
from service.console.shared import (
    load,
    may_edit,
    network_choices,
    organisation,
    save,
    show_refusal,
)
from service.console.sms_preview import sms_previews
from service.content import notices
from service.content import operations as content
from service.content.models import Network
from service.db import get_session, utcnow
from service.errors import DomainError
from service.routes import Routes

routes = Routes()


@routes.route("/content/support/new", methods=["GET", "POST"])
@routes.route("/content/support/<int:item_id>", methods=["GET", "POST"])
@auth.requires("content.edit")
def support_edit(item_id: int | None = None):
    """Add or edit a support line (admins: support is for the whole organisation)."""
    manager, session = auth.manager(), get_session()
    line = load("support", item_id) if item_id else None
    if line is None and not may_edit(manager, None):
        abort(403)
    form = SupportLineForm(obj=line) if request.method == "GET" else SupportLineForm()
    if form.validate_on_submit():
        fields = {
            "name": form.name.data,
            "phone": form.phone.data,
            "hours": form.hours.data or "",
            "description": form.description.data or "",
            "crisis": form.crisis.data,
            "always_open": form.always_open.data,
            "position": form.position.data or 0,
        }
        try:
            line = save(
                "support",
                line,
                fields,
                lambda: notices.create_support_line(session, organisation(), **fields),
                lambda it: notices.update_support_line(session, it, **fields),
            )
        except DomainError as exc:
            show_refusal(exc, form)
            return _render_simple("console/support_form.html", form, line), 400
        session.commit()
        flash(f"Saved {line.name}.", "success")
        return redirect(url_for("console.support_edit", item_id=line.id))
    return _render_simple("console/support_form.html", form, line), 400 if form.errors else 200


def _render_simple(template: str, form, item) -> str:
    return render_template(
        template,
        form=form,
        item=item,
        previews=sms_previews(get_session(), item, utcnow()) if item else [],
        delete=ConfirmForm(),
    )


@routes.route("/content/announcements/new", methods=["GET", "POST"])
@routes.route("/content/announcement/<int:item_id>", methods=["GET", "POST"])
@auth.requires("content.edit")
def announcement_edit(item_id: int | None = None):
    """Add or edit an announcement for the organisation or one network."""
    manager, session, org = auth.manager(), get_session(), organisation()
    zone = ZoneInfo(org.timezone)
    item = load("announcement", item_id) if item_id else None
    form = AnnouncementForm()
    form.network.choices = network_choices(manager)
    if item is not None and request.method == "GET":
        # Times shown in local wall-clock time, as the form's datetime-local inputs expect.
        form.process(
            body=item.body,
            network=item.network_id or 0,
            publish_from=item.publish_from.astimezone(zone).replace(tzinfo=None),
            publish_until=item.publish_until.astimezone(zone).replace(tzinfo=None)
            if item.publish_until
            else None,
        )
    elif item is None and request.method == "GET":
        form.publish_from.data = (
            utcnow().astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)
        )
    if form.validate_on_submit():
        network = session.get(Network, form.network.data) if form.network.data else None
        if not may_edit(manager, network.id if network else None):
            abort(403)

        def utc(local: dt.datetime | None) -> dt.datetime | None:
            return local.replace(tzinfo=zone).astimezone(dt.UTC) if local else None

        fields = {
            "body": form.body.data,
            "publish_from": utc(form.publish_from.data),
            "publish_until": utc(form.publish_until.data),
            "network": network,
        }
        try:
            item = save(
                "announcement",
                item,
                fields,
                lambda: notices.create_announcement(session, org, **fields),
                lambda it: notices.update_announcement(session, it, **fields),
            )
        except DomainError as exc:
            show_refusal(exc, form)
            return _render_simple("console/announcement_form.html", form, item), 400
        session.commit()
        flash("Saved the announcement.", "success")
        return redirect(url_for("console.announcement_edit", item_id=item.id))
    return _render_simple("console/announcement_form.html", form, item), 400 if form.errors else 200


@routes.post("/content/<kind>/<int:item_id>/delete")
@auth.requires("content.edit")
def content_delete(kind: str, item_id: int):
    """Remove an event, support line or announcement (networks are never deleted here)."""
    if kind not in ("event", "support", "announcement"):
        abort(404)
    item = load(kind, item_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    manager, session = auth.manager(), get_session()
    content.delete_item(session, item)
    audit.record(
        session, manager.organisation_id, manager.id, "content.delete", kind=kind, id=item_id
    )
    session.commit()
    flash("Deleted. Every channel stops showing it now.", "success")
    return redirect(url_for("console.content_home"))
