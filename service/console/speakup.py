"""/console/speak-up: the guardian reads cases, replies and closes them; nobody is named."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from service.audit import operations as audit
from service.config import get_config
from service.console import auth
from service.console.content_forms import ConfirmForm
from service.db import get_session, utcnow
from service.errors import DomainError, NotFound
from service.routes import Routes
from service.speakup import operations as speakup
from service.speakup.models import SpeakUpCase, SpeakUpMessage

routes = Routes()


class ReplyForm(FlaskForm):
    """The guardian's reply."""

    body = TextAreaField(
        "Your reply",
        description="The worker reads it when they text CASE and their code, or open the case at "
        "a kiosk. A text shows the first two SMS segments; the kiosk shows it all.",
        validators=[DataRequired(), Length(max=speakup.MAX_TEXT)],
    )


def _case(case_id: int) -> SpeakUpCase:
    try:
        return speakup.case_for(get_session(), auth.manager().organisation_id, case_id)
    except NotFound:
        abort(404)


def waiting(case: SpeakUpCase) -> bool:
    """True when the worker wrote last: the case waits for the guardian."""
    return case.status == "open" and bool(case.messages) and case.messages[-1].author == "worker"


@routes.get("/speak-up", endpoint="speakup_cases")
@auth.requires("speakup.cases")
def speakup_cases():
    """Every case: those waiting for a reply first, then by last activity."""
    rows = speakup.cases(get_session(), auth.manager().organisation_id)
    rows.sort(key=lambda c: (not waiting(c), c.status != "open"))
    return render_template(
        "console/speakup_cases.html",
        cases=rows,
        waiting=waiting,
        alerts_on=bool(get_config().SMTP_URL),
    )


@routes.route("/speak-up/<int:case_id>", methods=["GET", "POST"])
@auth.requires("speakup.cases")
def speakup_case(case_id: int):
    """One case: its messages in order, a reply, close or reopen."""
    case, session, manager = _case(case_id), get_session(), auth.manager()
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            speakup.reply(session, case, form.body.data, utcnow())
        except DomainError as exc:
            session.rollback()
            flash(f"Nothing was sent. {exc}.")
            return _page(case, form), 400
        audit.record(session, manager.organisation_id, manager.id, "speakup.reply", case=case.id)
        session.commit()
        flash("Replied. The worker reads it the next time they open the case.", "success")
        return redirect(url_for("console.speakup_case", case_id=case.id))
    return _page(case, form), 400 if form.errors else 200


def _page(case: SpeakUpCase, form: ReplyForm) -> str:
    return render_template(
        "console/speakup_case.html",
        case=case,
        thread=list(zip(case.messages, speakup.messages(get_session(), case), strict=True)),
        form=form,
        status_form=ConfirmForm(),
    )


@routes.post("/speak-up/<int:case_id>/status")
@auth.requires("speakup.cases")
def speakup_status(case_id: int):
    """Close a case, or open it again."""
    case, session, manager = _case(case_id), get_session(), auth.manager()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    status = request.form.get("status", "")
    try:
        speakup.set_status(session, case, status, utcnow())
    except DomainError:
        abort(400)
    audit.record(session, manager.organisation_id, manager.id, f"speakup.{status}", case=case.id)
    session.commit()
    flash("Case closed." if status == "closed" else "Case open again.", "success")
    return redirect(url_for("console.speakup_case", case_id=case.id))


@routes.get("/speak-up/<int:case_id>/recording/<int:message_id>")
@auth.requires("speakup.cases")
def speakup_recording(case_id: int, message_id: int):
    """Play a voice message left on the phone line, from the service's own encrypted copy."""
    case, session = _case(case_id), get_session()
    message = session.get(SpeakUpMessage, message_id)
    audio = speakup.audio_of(session, message) if message and message.case_id == case.id else None
    if audio is None:
        abort(404)
    manager = auth.manager()
    audit.record(session, manager.organisation_id, manager.id, "speakup.play", case=case.id)
    session.commit()
    data, content_type = audio
    # Never cached: it is a concern in someone's own voice.
    return Response(
        data, mimetype=content_type or "audio/mpeg", headers={"Cache-Control": "no-store"}
    )
