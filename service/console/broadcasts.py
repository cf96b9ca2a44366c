"""/console/broadcasts: compose, preview per language, send or schedule, watch, cancel."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from service import languages
from service.audit import operations as audit
from service.broadcasts import drafts, held
from service.broadcasts import operations as broadcasts
from service.broadcasts import preview as previews
from service.broadcasts.models import Broadcast
from service.config import get_config
from service.console import auth
from service.console.broadcast_forms import (
    AUDIENCE_CHOICES,
    ActionForm,
    BroadcastForm,
    translation_field_name,
)
from service.console.shared import organisation
from service.content import operations as content
from service.content.models import Network
from service.db import get_session, utcnow
from service.errors import DomainError
from service.managers.models import Manager
from service.managers.permissions import can, can_everywhere
from service.organisations.models import Site
from service.routes import Routes

routes = Routes()

STATUS_TEXT = {
    "draft": "Draft: not sent",
    "scheduled": "Scheduled",
    "sending": "Sending",
    "cancelled": "Cancelled",
}


def _may_see(manager: Manager, broadcast: Broadcast) -> bool:
    """Admins see every broadcast; a lead sees those to their own networks only."""
    if can_everywhere(manager, "broadcast.send"):
        return True
    ids = broadcast.network_ids or []
    return (
        broadcast.audience == "networks"
        and bool(ids)
        and all(can(manager, "broadcast.send", network_id=i) for i in ids)
    )


def load_broadcast(broadcast_id: int) -> Broadcast:
    """The broadcast, if this manager may see it (404 or 403 otherwise)."""
    broadcast = get_session().get(Broadcast, broadcast_id)
    manager = auth.manager()
    if broadcast is None or broadcast.organisation_id != manager.organisation_id:
        abort(404)
    if not _may_see(manager, broadcast):
        abort(403)
    return broadcast


@routes.get("/broadcasts", endpoint="broadcasts")
@auth.requires("broadcast.send")
def broadcasts_list():
    """The broadcasts this manager may see, newest first."""
    manager, session = auth.manager(), get_session()
    rows = session.scalars(
        select(Broadcast)
        .where(Broadcast.organisation_id == manager.organisation_id)
        .order_by(Broadcast.created_at.desc())
        .limit(200)
    ).all()
    visible = [b for b in rows if _may_see(manager, b)]
    return render_template(
        "console/broadcasts.html",
        broadcasts=visible,
        progress={b.id: broadcasts.progress(session, b) for b in visible},
        status_text=STATUS_TEXT,
        zone=ZoneInfo(organisation().timezone),
    )


def _compose_form() -> BroadcastForm:
    manager, session = auth.manager(), get_session()
    form = BroadcastForm()
    everywhere = can_everywhere(manager, "broadcast.send")
    form.audience.choices = [
        SelectChoice(key, label)
        for key, label in AUDIENCE_CHOICES.items()
        if everywhere or key == "networks"
    ]
    networks = session.scalars(
        select(Network)
        .where(Network.organisation_id == manager.organisation_id)
        .order_by(Network.name)
    )
    form.networks.choices = [
        SelectChoice(n.id, n.name)
        for n in networks
        if can(manager, "broadcast.send", network_id=n.id)
    ]
    sites = session.scalars(
        select(Site).where(Site.organisation_id == manager.organisation_id).order_by(Site.name)
    )
    form.site.choices = [SelectChoice(0, "Choose a site")] + [
        SelectChoice(s.id, s.name) for s in sites
    ]
    return form


@routes.route("/broadcasts/new", methods=["GET", "POST"])
@auth.requires("broadcast.send")
def broadcast_new():
    """Compose a broadcast; saving it shows the preview before anything is sent."""
    form = _compose_form()
    if form.validate_on_submit():
        return _save(form)
    return _render_compose(form), 400 if form.errors else 200


@routes.route("/broadcasts/<int:broadcast_id>/edit", methods=["GET", "POST"])
@auth.requires("broadcast.send")
def broadcast_edit(broadcast_id: int):
    """Back from the preview to the form, with everything the lead wrote, in every language."""
    broadcast = load_broadcast(broadcast_id)
    if broadcast.status != "draft":
        flash(_("Only a draft can be edited."))
        return redirect(url_for("console.broadcast_view", broadcast_id=broadcast_id))
    form = _compose_form()
    if form.validate_on_submit():
        return _save(form, broadcast)
    if request.method == "GET":
        _fill(form, broadcast)
    return _render_compose(form, broadcast), 400 if form.errors else 200


def _fill(form: BroadcastForm, broadcast: Broadcast) -> None:
    form.body.data = broadcast.body
    form.audience.data = broadcast.audience
    form.networks.data = list(broadcast.network_ids or [])
    form.site.data = broadcast.site_id or 0
    form.urgent.data = broadcast.urgent
    when = broadcast.scheduled_for
    zone = ZoneInfo(organisation().timezone)
    form.scheduled_for.data = when.astimezone(zone).replace(tzinfo=None) if when else None
    for language, text in drafts.translations(get_session(), broadcast).items():
        form[translation_field_name(language)].data = text


def _save(form: BroadcastForm, broadcast: Broadcast | None = None):
    """Create the draft (or replace an edited one's fields) and show its preview."""
    manager, session, org = auth.manager(), get_session(), organisation()
    zone = ZoneInfo(org.timezone)
    when = form.scheduled_for.data
    scheduled = when.replace(tzinfo=zone).astimezone(dt.UTC) if when else None
    if scheduled is not None and scheduled <= utcnow():
        form.scheduled_for.errors = ["Choose a time in the future, or leave it empty."]
        return _render_compose(form, broadcast), 400
    texts = {
        lg.code: form[translation_field_name(lg.code)].data or "" for lg in languages.LANGUAGES[1:]
    }
    fields = {
        "body": form.body.data,
        "audience": form.audience.data,
        "network_ids": form.networks.data or None,
        "site_id": form.site.data or None,
        "urgent": form.urgent.data,
        "scheduled_for": scheduled,
    }
    try:
        if broadcast is None:
            broadcast = broadcasts.create_broadcast(session, org, **fields, created_by=manager.id)
            for language, text in texts.items():
                if text.strip():
                    content.set_translation(
                        session, broadcast, "body", language, text, reviewed=True
                    )
            action = "broadcast.create"
        else:
            drafts.update_draft(session, org, broadcast, texts=texts, **fields)
            action = "broadcast.edit"
    except DomainError as exc:
        session.rollback()
        flash(f"Nothing was saved. {getattr(exc, 'message', exc)}.")
        return _render_compose(form, broadcast), 400
    audit.record(
        session,
        manager.organisation_id,
        manager.id,
        action,
        id=broadcast.id,
        audience=broadcast.audience,
        networks=broadcast.network_ids or [],
        site=broadcast.site_id,
    )
    session.commit()
    return redirect(url_for("console.broadcast_view", broadcast_id=broadcast.id))


def _render_compose(form: BroadcastForm, broadcast: Broadcast | None = None) -> str:
    return render_template(
        "console/broadcast_new.html",
        form=form,
        broadcast=broadcast,
        translations=[form[translation_field_name(lg.code)] for lg in languages.LANGUAGES[1:]],
        languages=languages.LANGUAGES[1:],
    )


@routes.get("/broadcasts/<int:broadcast_id>")
@auth.requires("broadcast.send")
def broadcast_view(broadcast_id: int):
    """A draft's preview per language and cost; a sent one's progress and held languages."""
    broadcast = load_broadcast(broadcast_id)
    session = get_session()
    preview = samples = None
    if broadcast.status == "draft":
        preview = previews.preview(session, broadcast, get_config())
        samples = previews.samples(session, broadcast)
    org = organisation()
    return render_template(
        "console/broadcast.html",
        broadcast=broadcast,
        preview=preview,
        samples=samples,
        waiting=held.held_people(session, broadcast) if broadcast.status != "draft" else {},
        progress=broadcasts.progress(session, broadcast),
        status_text=STATUS_TEXT,
        action=ActionForm(),
        zone=ZoneInfo(org.timezone),
        networks={
            n.id: n.name
            for n in session.scalars(select(Network).where(Network.organisation_id == org.id))
        },
        sites={s.id: s.name for s in org.sites},
        by_code=languages.BY_CODE,
        # The preview's own words follow the lead's language (the catalogs hold them).
        ui=languages.BY_CODE.get(str(get_locale()), languages.BY_CODE[languages.DEFAULT]),
    )


@routes.get("/broadcasts/<int:broadcast_id>/progress")
@auth.requires("broadcast.send")
def broadcast_progress(broadcast_id: int):
    """Live counts for the progress panel."""
    broadcast = load_broadcast(broadcast_id)
    state = broadcasts.progress(get_session(), broadcast)
    return jsonify(
        counts=state.counts,
        total=state.total,
        done=state.done,
        finished=state.finished or broadcast.status == "cancelled",
        status_text=_status_line(broadcast, state),
    )


def untranslated_choices(broadcast: Broadcast) -> dict:
    """The lead's choice for each untranslated language the page asked about: English, or hold.

    Held and English languages, each a list of codes. Read from the form and the broadcast's
    own texts, never from its audience, so that Send answers at once however many people it
    reaches. A language the form does not mention gets the English, as every broadcast did
    before holding existed.
    """
    translated = previews.translated_languages(get_session(), broadcast)
    choices: dict = {"held": [], "english": []}
    for language in languages.CODES:
        choice = request.form.get(f"untranslated-{language}")
        if language not in translated and choice in ("hold", "english"):
            choices["held" if choice == "hold" else "english"].append(language)
    return choices


def _status_line(broadcast: Broadcast, state: broadcasts.Progress) -> str:
    if broadcast.status == "cancelled":
        return "Cancelled. Texts not yet sent will not be."
    if broadcast.status == "scheduled":
        return "Scheduled."
    if broadcast.fan_out_after == 0 and broadcast.fanned_out_at is None:
        return "Preparing: counting the people it reaches."
    if broadcast.fanned_out_at is None and broadcast.fan_out_after is not None:
        return (
            f"Preparing: {broadcast.fanned_out} of {broadcast.recipients} texts written, "
            f"{state.done} have left."
        )
    if state.finished:
        return f"Finished: all {state.total} texts have left."
    return f"Sending: {state.done} of {state.total} have left."


def _act(broadcast_id: int, verb: str):
    broadcast = load_broadcast(broadcast_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    manager, session = auth.manager(), get_session()
    try:
        if verb == "send":
            # What the page showed for each untranslated language is what is honoured.
            choices = untranslated_choices(broadcast)
            held.choose_held(session, broadcast, choices["held"])
            # Answers at once whatever the audience: workers write the rows, in batches.
            status = broadcasts.start_broadcast(session, broadcast, get_config(), utcnow())
            action = "broadcast.schedule" if status == "scheduled" else "broadcast.send"
            detail = choices
        elif verb == "cancel":
            detail = {"cancelled": broadcasts.cancel_broadcast(session, broadcast)}
            action = "broadcast.cancel"
        else:
            broadcasts.discard_draft(session, broadcast)
            action, detail = "broadcast.discard", {}
    except DomainError as exc:
        session.rollback()
        flash(f"Nothing changed: {exc}.")
        return redirect(url_for("console.broadcast_view", broadcast_id=broadcast_id))
    audit.record(session, manager.organisation_id, manager.id, action, id=broadcast_id, **detail)
    session.commit()
    messages = {
        "broadcast.send": "Sending now.",
        "broadcast.schedule": "Scheduled.",
        "broadcast.cancel": "Cancelled. Nothing not yet sent will go.",
        "broadcast.discard": "Draft discarded.",
    }
    flash(messages[action], "success")
    if action == "broadcast.discard":
        return redirect(url_for("console.broadcasts"))
    return redirect(url_for("console.broadcast_view", broadcast_id=broadcast_id))


@routes.post("/broadcasts/<int:broadcast_id>/send")
@auth.requires("broadcast.send")
def broadcast_send(broadcast_id: int):
    """Send a draft now, or schedule it for its time."""
    return _act(broadcast_id, "send")


@routes.post("/broadcasts/<int:broadcast_id>/cancel")
@auth.requires("broadcast.send")
def broadcast_cancel(broadcast_id: int):
    """Stop a scheduled or sending broadcast."""
    return _act(broadcast_id, "cancel")


@routes.post("/broadcasts/<int:broadcast_id>/discard")
@auth.requires("broadcast.send")
def broadcast_discard(broadcast_id: int):
    """Throw away a draft."""
    return _act(broadcast_id, "discard")
