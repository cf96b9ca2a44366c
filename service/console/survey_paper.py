"""/console/surveys/<id>/paper: paper sheets typed in twice, and where the sheets go back."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from service import languages
from service.audit import operations as audit
from service.console import auth
from service.console.content_forms import ConfirmForm
from service.console.shared import organisation
from service.db import get_session, utcnow
from service.errors import DomainError
from service.organisations.models import Site
from service.routes import Routes
from service.surveys import paper
from service.surveys.models import Survey, SurveyQuestion
from service.surveys.operations import SurveyClosed, is_open
from service.surveys.queries import localised

routes = Routes()
# What the return box field may hold: a short place, printed on every sheet.
RETURN_TO_LENGTH = 200


def _survey(survey_id: int) -> Survey:
    found = get_session().get(Survey, survey_id)
    if found is None or found.organisation_id != auth.manager().organisation_id:
        abort(404)
    return found


def _given(question: SurveyQuestion) -> paper.Given:
    """One question's answer as the form gives it: blank is skipped (no tick, or two)."""
    raw = request.form.get(f"q{question.id}", "")
    if raw == "prefer_not":
        return ("prefer_not", None, None)
    if question.kind == "text":
        return ("answered", None, request.form.get(f"q{question.id}-text", ""))
    if raw.isdigit():
        return ("answered", int(raw), None)
    return ("skipped", None, None)


def _page(found: Survey, status: int = 200, *, form_values: dict | None = None):
    session = get_session()
    sites = session.scalars(
        select(Site).where(Site.organisation_id == found.organisation_id).order_by(Site.name)
    ).all()
    return render_template(
        "console/survey_paper.html",
        survey=found,
        view=localised(session, found, languages.DEFAULT),
        form=ConfirmForm(),
        sites=sites,
        languages=languages.LANGUAGES,
        pending=paper.pending(session, found),
        counted=paper.counted(session, found),
        taking=is_open(found, utcnow()),
        values=form_values or {},
    ), status


@routes.get("/surveys/<int:survey_id>/paper")
@auth.requires("surveys.run")
def survey_paper(survey_id: int):
    """The form to type in a returned sheet, and the sheets waiting or in disagreement."""
    return _page(_survey(survey_id))


@routes.post("/surveys/<int:survey_id>/paper")
@auth.requires("surveys.run")
def survey_paper_enter(survey_id: int):
    """Type in one returned sheet: counted when a second entry agrees, flagged when not."""
    found = _survey(survey_id)
    if not ConfirmForm().validate_on_submit():
        return "The form expired; reload the page.", 400
    session, manager = get_session(), auth.manager()
    form = request.form
    sheet, site = form.get("sheet", ""), form.get("site", "")
    if not sheet.isdigit() or not site.isdigit():
        flash("Nothing was saved. Give the sheet's number and the site it came from.")
        return _page(found, 400, form_values=form)
    try:
        done = paper.enter(
            session,
            found,
            sheet=int(sheet),
            site_id=int(site),
            language=form.get("language", ""),
            answers={q.id: _given(q) for q in found.questions},
            entered_by=manager.id,
            now=utcnow(),
        )
    except SurveyClosed:
        session.rollback()
        flash("Nothing was saved. The survey is not open: paper sheets count only while it is.")
        return _page(found, 400)
    except DomainError as exc:
        session.rollback()
        flash(f"Nothing was saved. {exc}")
        return _page(found, 400, form_values=form)
    audit.record(
        session,
        manager.organisation_id,
        manager.id,
        "survey.paper",
        id=found.id,
        sheet=done.sheet,
        result=done.result,
    )
    session.commit()
    if done.result == "counted":
        flash(f"Sheet {done.sheet} counted: both entries agree.", "success")
    elif done.result == "waiting":
        flash(
            f"Sheet {done.sheet} saved once. Type it in again (someone else, if you can) to "
            "count it.",
            "success",
        )
    else:
        flash(
            f"Sheet {done.sheet} does not match its earlier entry, so it is not counted. Look at "
            "the sheet again and type it in once more: it counts when an entry agrees."
        )
    return redirect(url_for("console.survey_paper", survey_id=found.id))


@routes.post("/surveys/<int:survey_id>/paper/<int:sheet>/discard")
@auth.requires("surveys.run")
def survey_paper_discard(survey_id: int, sheet: int):
    """Throw away a sheet's uncounted entries, to type it in afresh."""
    found = _survey(survey_id)
    if not ConfirmForm().validate_on_submit():
        return "The form expired; reload the page.", 400
    session, manager = get_session(), auth.manager()
    gone = paper.discard(session, found, sheet)
    audit.record(
        session,
        manager.organisation_id,
        manager.id,
        "survey.paper_discard",
        id=found.id,
        sheet=sheet,
        entries=gone,
    )
    session.commit()
    flash(f"Sheet {sheet}: {gone} uncounted entries thrown away.", "success")
    return redirect(url_for("console.survey_paper", survey_id=found.id))


@routes.post("/surveys/<int:survey_id>/return-to")
@auth.requires("surveys.run")
def survey_return_to(survey_id: int):
    """Where the printed sheet goes back, as every pack prints it from now on."""
    found = _survey(survey_id)
    if not ConfirmForm().validate_on_submit():
        return "The form expired; reload the page.", 400
    place = " ".join(request.form.get("return_to", "").split())[:RETURN_TO_LENGTH]
    found.return_to = place
    manager = auth.manager()
    audit.record(get_session(), organisation().id, manager.id, "survey.return_to", id=found.id)
    get_session().commit()
    flash("Saved. Packs printed from now on say where to return the sheet.", "success")
    return redirect(url_for("console.survey", survey_id=found.id))
