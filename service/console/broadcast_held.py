"""/console/broadcasts/<id>: choose English or hold per untranslated language; release a hold."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from service import languages
from service.audit import operations as audit
from service.broadcasts import held
from service.console import auth
from service.console.broadcast_forms import ActionForm
from service.console.broadcasts import load_broadcast, untranslated_choices
from service.db import get_session
from service.errors import DomainError
from service.routes import Routes

routes = Routes()


@routes.post("/broadcasts/<int:broadcast_id>/languages")
@auth.requires("broadcast.send")
def broadcast_languages(broadcast_id: int):
    """Keep the choices for untranslated languages and show the totals they make."""
    broadcast = load_broadcast(broadcast_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    session = get_session()
    try:
        held.choose_held(session, broadcast, untranslated_choices(broadcast)["held"])
    except DomainError as exc:
        session.rollback()
        flash(_("Nothing changed: %(reason)s.", reason=exc))
    else:
        session.commit()
    return redirect(url_for("console.broadcast_view", broadcast_id=broadcast_id) + "#preview")


@routes.post("/broadcasts/<int:broadcast_id>/release")
@auth.requires("broadcast.send")
def broadcast_release(broadcast_id: int):
    """Add a held language's text: its members are sent the broadcast, in their language."""
    broadcast = load_broadcast(broadcast_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    language = request.form.get("language", "")
    if language not in languages.CODES:
        abort(400)
    manager, session = auth.manager(), get_session()
    try:
        people = held.release_held(session, broadcast, language, request.form.get("text", ""))
    except DomainError as exc:
        session.rollback()
        flash(_("Nothing changed: %(reason)s.", reason=getattr(exc, "message", exc)))
        return redirect(url_for("console.broadcast_view", broadcast_id=broadcast_id))
    audit.record(
        session,
        manager.organisation_id,
        manager.id,
        "broadcast.release",
        id=broadcast_id,
        language=language,
        people=people,
    )
    session.commit()
    flash(_("Added: the broadcast goes to them in their language."), "success")
    return redirect(url_for("console.broadcast_view", broadcast_id=broadcast_id))
