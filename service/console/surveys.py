"""/console/surveys: write a survey, translate it, open and close it, and read its results."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from sqlalchemy import select

from print_templates.you_said import build_pdf
from service import languages
from service.audit import operations as audit
from service.console import auth
from service.console.charts import bar_chart, drawn, listing
from service.console.content_forms import ConfirmForm
from service.console.shared import csv_download, download, organisation
from service.content.models import Network
from service.db import get_session, utcnow
from service.errors import DomainError
from service.messaging.segments import count
from service.organisations.models import Site
from service.routes import Routes
from service.surveys import monitoring, outcome, texts
from service.surveys import operations as surveys
from service.surveys.invitations import send_invitations
from service.surveys.models import KINDS, Survey
from service.surveys.queries import localised
from service.surveys.reminders import AlreadyReminded, send_reminder
from service.surveys.results import Results, results_csv, survey_results

routes = Routes()
KIND_LABELS = {
    "choice": "One choice",
    "scale": "Scale 1 to 5",
    "yes_no": "Yes or no",
    "text": "Free text",
}


def _survey(survey_id: int) -> Survey:
    survey = get_session().get(Survey, survey_id)
    if survey is None or survey.organisation_id != auth.manager().organisation_id:
        abort(404)
    return survey


def _done(survey: Survey, action: str, message: str, **detail):
    manager = auth.manager()
    audit.record(get_session(), manager.organisation_id, manager.id, action, id=survey.id, **detail)
    get_session().commit()
    flash(message, "success")
    return redirect(url_for("console.survey", survey_id=survey.id))


@routes.get("/surveys")
@auth.requires("surveys.run")
def surveys_list():
    """Every survey of the organisation, newest first, and the form for a new one."""
    session, org = get_session(), organisation()
    rows = session.scalars(
        select(Survey).where(Survey.organisation_id == org.id).order_by(Survey.id.desc())
    ).all()
    return render_template(
        "console/surveys.html",
        surveys=rows,
        form=ConfirmForm(),
        networks=session.scalars(
            select(Network).where(Network.organisation_id == org.id).order_by(Network.name)
        ).all(),
        sites=session.scalars(
            select(Site).where(Site.organisation_id == org.id).order_by(Site.name)
        ).all(),
    )


@routes.post("/surveys")
@auth.requires("surveys.run")
def survey_create():
    """Create a draft survey from the form."""
    _posted()
    org, session, form = organisation(), get_session(), request.form
    try:
        closes = dt.datetime.fromisoformat(form.get("closes_on", "")).replace(hour=23, minute=59)
        closes_at = closes.replace(tzinfo=ZoneInfo(org.timezone)).astimezone(dt.UTC)
    except ValueError:
        flash("Nothing was saved. Give the closing date as a date.")
        return redirect(url_for("console.surveys_list"))
    try:
        survey = surveys.create_survey(
            session,
            org,
            title=form.get("title", ""),
            intro=form.get("intro", ""),
            keyword=form.get("keyword", ""),
            closes_at=closes_at,
            audience=form.get("audience", "opted_in"),
            mode=form.get("mode", "anonymous"),
            network_ids=[int(n) for n in form.getlist("network_ids") if n.isdigit()],
            site_ids=[int(n) for n in form.getlist("site_ids") if n.isdigit()],
        )
    except DomainError as exc:
        session.rollback()
        flash(f"Nothing was saved. {exc}")
        return redirect(url_for("console.surveys_list"))
    return _done(survey, "survey.create", "Survey created. Add its questions.")


def _refused(survey_id: int, exc: DomainError, what: str = "Nothing was saved.") -> Response:
    # Nothing of a refused action stays: back to the survey's page, which says why.
    get_session().rollback()
    flash(f"{what} {exc}")
    return redirect(url_for("console.survey", survey_id=survey_id))


def _posted() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(Response("The form expired; reload the page.", 400))


def _posted_survey(survey_id: int) -> Survey:
    # The survey first: another organisation's is a 404 whatever the form says.
    found = _survey(survey_id)
    _posted()
    return found


def _previews(survey: Survey) -> dict[str, list[dict]]:
    """Each question's exact text by SMS in every language, with its segments."""
    out: dict[str, list[dict]] = {}
    for lang in languages.LANGUAGES:
        view = localised(get_session(), survey, lang.code)
        with force_locale(lang.code):
            rows = []
            for n, question in enumerate(view.questions, start=1):
                # The consent's explanation goes as a text of its own, just before its question.
                said = [texts.preface(question)] if question.preface else []
                said.append(texts.question(question, n, len(view.questions), lang.code))
                for text in said:
                    found = count(text)
                    rows.append(
                        {"text": text, "segments": found.segments, "encoding": found.encoding}
                    )
        out[lang.code] = rows
    return out


@routes.get("/surveys/<int:survey_id>")
@auth.requires("surveys.run")
def survey(survey_id: int):
    """One survey: its questions, their texts by SMS in every language, and its state."""
    found = _survey(survey_id)
    return render_template(
        "console/survey.html",
        survey=found,
        form=ConfirmForm(),
        kinds=KIND_LABELS,
        previews=_previews(found),
        languages=languages.LANGUAGES,
        own=surveys.own_questions(found),
        characteristics=monitoring.CHARACTERISTICS,
        monitored={q.monitoring for q in found.questions if q.monitoring},
    )


@routes.post("/surveys/<int:survey_id>/monitoring")
@auth.requires("surveys.run")
def survey_monitoring(survey_id: int):
    """Ask the chosen equality questions at the end of a draft survey (none: ask none)."""
    found = _posted_survey(survey_id)
    chosen = request.form.getlist("characteristics")
    try:
        surveys.set_monitoring(get_session(), found, chosen)
    except DomainError as exc:
        return _refused(survey_id, exc)
    message = (
        "Equality questions added, after a consent question."
        if chosen
        else "No equality questions are asked."
    )
    return _done(found, "survey.monitoring", message, characteristics=sorted(chosen))


@routes.post("/surveys/<int:survey_id>/questions")
@auth.requires("surveys.run")
def survey_add_question(survey_id: int):
    """Add a question at the end of a draft survey."""
    found = _posted_survey(survey_id)
    kind = request.form.get("kind", "")
    if kind not in KINDS:
        abort(400)
    try:
        surveys.add_question(
            get_session(),
            found,
            kind=kind,
            text=request.form.get("text", ""),
            options=request.form.get("options", "").splitlines(),
            prefer_not=request.form.get("prefer_not") == "on",
        )
    except DomainError as exc:
        return _refused(survey_id, exc)
    return _done(found, "survey.question", "Question added.")


@routes.post("/surveys/<int:survey_id>/translations/<lang>")
@auth.requires("surveys.run")
def survey_translate(survey_id: int, lang: str):
    """Save one language's text of the survey and every question (blank: English shows)."""
    found = _posted_survey(survey_id)
    if lang == languages.DEFAULT or not languages.is_supported(lang):
        abort(404)
    session = get_session()
    try:
        for field in found.translatable:
            # A field the form does not carry (the "we did" before there is one) keeps its text.
            if field in request.form:
                surveys.translate(session, found, field, lang, request.form[field])
        # The equality questions are worded and translated by the service, not here.
        for question in surveys.own_questions(found):
            for field in question.translatable:
                name = f"q{question.id}-{field}"
                if name in request.form:
                    surveys.translate(session, question, field, lang, request.form[name])
    except DomainError as exc:
        return _refused(survey_id, exc)
    name = languages.BY_CODE[lang].english_name
    return _done(found, "survey.translate", f"Saved the {name} text.", language=lang)


@routes.post("/surveys/<int:survey_id>/open")
@auth.requires("surveys.run")
def survey_open(survey_id: int):
    """Open the survey and send its invitations through the outbox."""
    found = _posted_survey(survey_id)
    session = get_session()
    try:
        surveys.open_survey(session, found, utcnow())
    except DomainError as exc:
        return _refused(survey_id, exc, "Not opened.")
    invited = 0 if found.audience == "open" else send_invitations(session, found, utcnow())
    return _done(
        found, "survey.open", f"Survey open. {invited} invitations queued.", invited=invited
    )


@routes.post("/surveys/<int:survey_id>/remind")
@auth.requires("surveys.run")
def survey_remind(survey_id: int):
    """Send the survey's one reminder to those asked who have not answered."""
    found = _posted_survey(survey_id)
    try:
        reminded = send_reminder(get_session(), found, utcnow())
    except AlreadyReminded:
        return _refused(
            survey_id, DomainError("This survey's one reminder has been sent already."), "Not sent."
        )
    except surveys.SurveyClosed:
        closed = DomainError("The survey is closed: who has answered can no longer be known.")
        return _refused(survey_id, closed, "Not sent.")
    except DomainError as exc:
        return _refused(survey_id, exc, "Not sent.")
    return _done(
        found, "survey.remind", f"Reminder queued for {reminded} people.", reminded=reminded
    )


@routes.post("/surveys/<int:survey_id>/close")
@auth.requires("surveys.run")
def survey_close(survey_id: int):
    """Close the survey now: its token key is destroyed and nobody can be linked to an answer."""
    found = _posted_survey(survey_id)
    surveys.close_survey(get_session(), found, utcnow())
    return _done(
        found, "survey.close", "Survey closed. Its answers can no longer be linked to anyone."
    )


def _results(survey: Survey) -> Results:
    """The survey's results for the margin and confidence asked for (5% and 95% if not)."""
    margin = {"3": 0.03, "5": 0.05, "10": 0.10}.get(request.args.get("margin", "5"), 0.05)
    confidence = {"90": 0.90, "95": 0.95, "99": 0.99}.get(
        request.args.get("confidence", "95"), 0.95
    )
    return survey_results(
        get_session(), survey, margin=margin, confidence=confidence, by=request.args.get("by")
    )


def _charts(results: Results) -> dict[int, object]:
    """A bar chart per question, from its suppressed table: a hidden count draws no bar."""
    return {
        q.number: bar_chart(
            f"Answers to question {q.number}",
            f"Bar chart of the answers to question {q.number}, {q.text}. "
            + listing([(line.label, line.shown) for line in q.table.lines]),
            [line.label for line in q.table.lines],
            [("Responses", [drawn(line.shown) for line in q.table.lines])],
            horizontal=True,
        )
        for q in results.questions
    }


@routes.get("/surveys/<int:survey_id>/results")
@auth.requires("surveys.run")
def survey_results_page(survey_id: int):
    """Responses against the audience, by channel, site and language, and each question."""
    found = _survey(survey_id)
    results = _results(found)
    get_session().commit()  # a new batch of answers, if one was due
    return render_template(
        "console/survey_results.html",
        survey=found,
        results=results,
        charts=_charts(results),
        csv_url=url_for(
            "console.survey_results_csv",
            survey_id=found.id,
            **{k: v for k in ("margin", "confidence", "by") if (v := request.args.get(k))},
        ),
    )


@routes.get("/surveys/<int:survey_id>/results.csv", endpoint="survey_results_csv")
@auth.requires("surveys.run")
def survey_results_csv_download(survey_id: int):
    """The results as CSV under the page's rules (suppressed, masked); each download audited."""
    found = _survey(survey_id)
    text = results_csv(_results(found))
    manager = auth.manager()
    audit.record(get_session(), manager.organisation_id, manager.id, "survey.export", id=found.id)
    get_session().commit()
    return csv_download(text, f"survey-{found.id}-results.csv")


@routes.post("/surveys/<int:survey_id>/we-did")
@auth.requires("surveys.run")
def survey_we_did(survey_id: int):
    """Save what was done because people answered (once the survey has closed)."""
    found = _posted_survey(survey_id)
    try:
        outcome.set_we_did(get_session(), found, request.form.get("we_did", ""))
    except DomainError as exc:
        return _refused(survey_id, exc)
    return _done(found, "survey.we_did", "Saved. Translate it below, then print it or send it.")


@routes.get("/surveys/<int:survey_id>/you-said.pdf")
@auth.requires("surveys.run")
def survey_you_said_pdf(survey_id: int):
    """The "you said, we did" sheet for the noticeboard, a page per language."""
    found = _survey(survey_id)
    try:
        pdf = build_pdf(outcome.sheets(get_session(), found, organisation()))
    except DomainError as exc:
        flash(f"Nothing to print yet. {exc}")
        return redirect(url_for("console.survey", survey_id=survey_id))
    return download(pdf, "application/pdf", f"survey-{found.id}-you-said.pdf")


@routes.post("/surveys/<int:survey_id>/we-did/broadcast")
@auth.requires("surveys.run")
def survey_we_did_broadcast(survey_id: int):
    """A draft broadcast of the "we did" to the survey's audience, opened for the admin to send."""
    found = _posted_survey(survey_id)
    session, manager = get_session(), auth.manager()
    try:
        broadcast = outcome.headline_broadcast(
            session, organisation(), found, created_by=manager.id
        )
    except DomainError as exc:
        return _refused(survey_id, exc, "No broadcast made.")
    audit.record(
        session,
        manager.organisation_id,
        manager.id,
        "survey.we_did_broadcast",
        id=found.id,
        broadcast=broadcast.id,
    )
    session.commit()
    flash(
        "A draft broadcast of what was done. Check its audience and texts, then send it.", "success"
    )
    return redirect(url_for("console.broadcast_view", broadcast_id=broadcast.id))
