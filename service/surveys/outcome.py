"""You said, we did: what changed because people answered, on the noticeboard and by text.

Staff who answered a survey and never hear of it again stop answering. Once a survey has
closed, its admin writes what was done about it (translated like the rest of the survey); the
console prints a results sheet in every language and makes a broadcast of it, to the survey's
own audience, for the admin to check and send as any other broadcast.

The sheet shows only what the results page shows: counts suppressed as there, and written
answers as a number only (a noticeboard is no place for anyone's own words).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from service import languages, validation
from service.broadcasts.models import Broadcast
from service.broadcasts.operations import create_broadcast
from service.content.operations import set_translation
from service.content.queries import translations_for
from service.errors import DomainError
from service.organisations.models import Organisation
from service.reach.suppression import HIDDEN
from service.surveys.models import Survey
from service.surveys.queries import QuestionView, localised
from service.surveys.results import survey_results

MAX_LENGTH = 600  # about four texts: it is read on a phone as well as a noticeboard


class NotClosedYet(DomainError):
    """What was done about a survey is written once it has closed and its results are final."""


class NothingWritten(DomainError):
    """There is no "we did" to print or send yet."""


@dataclass(frozen=True)
class SheetLine:
    """One answer and its count, as the results page shows it."""

    label: str
    shown: str
    outcome: bool = False  # "prefer not to say" or "skipped", not an answer


@dataclass(frozen=True)
class SheetQuestion:
    """One question in a language, with its answers counted (or, for free text, how many)."""

    number: int
    text: str
    lines: tuple[SheetLine, ...]
    written: str | None  # free text: how many wrote an answer (suppressed); else None


@dataclass(frozen=True)
class Sheet:
    """The results sheet in one language."""

    language: str
    organisation: str
    title: str
    we_did: str
    responses: str
    audience: int
    # Whether "of how many" means anything: not for an open survey (anyone could answer), nor
    # where more answered than were counted in the audience (numbers that joined since).
    audience_known: bool
    closed_on: dt.date
    questions: tuple[SheetQuestion, ...]


def set_we_did(session: Session, survey: Survey, text: str) -> None:
    """Record what was done because people answered (English; translations as for the rest)."""
    if survey.status != "closed":
        raise NotClosedYet("close the survey first: its results are final only then")
    survey.we_did = validation.required_text("we_did", text, max_length=MAX_LENGTH)
    session.flush()


def _labels(question: QuestionView, language: str) -> list[str]:
    """The answers' labels in the language, in the order of the results' lines."""
    if question.kind == "choice":
        labels = list(question.asked.options)
    elif question.kind == "scale":
        labels = [str(n) for n in range(1, 6)]
    elif question.kind == "yes_no":
        labels = [_("Yes"), _("No")]
    else:
        labels = [_("Answered")]
    return [*labels, _("Prefer not to say"), _("Skipped")]


def sheets(session: Session, survey: Survey, organisation: Organisation) -> list[Sheet]:
    """The results sheet in every language, English first."""
    if survey.status != "closed":
        raise NotClosedYet("close the survey first: its results are final only then")
    if not survey.we_did.strip():
        raise NothingWritten("write what was done first")
    results = survey_results(session, survey)
    closed = survey.closed_at or survey.closes_at
    closed_on = closed.astimezone(ZoneInfo(organisation.timezone)).date()
    counted = int(results.responses) if results.responses.isdigit() else 0
    known = survey.audience != "open" and results.audience >= counted
    out = []
    for language in languages.CODES:
        view = localised(session, survey, language)
        questions = []
        with force_locale(language):
            for question, result in zip(view.questions, results.questions, strict=True):
                labels = _labels(question, language)
                # "hidden" is a word, read in the sheet's language; "<5" reads as it is.
                shown = [
                    _("hidden") if n == HIDDEN else n
                    for n in (ln.shown for ln in result.table.lines)
                ]
                questions.append(
                    SheetQuestion(
                        result.number,
                        question.text,
                        tuple(
                            SheetLine(label, n, outcome=i >= len(labels) - 2)
                            for i, (label, n) in enumerate(zip(labels, shown, strict=True))
                        ),
                        result.text_count if question.kind == "text" else None,
                    )
                )
        out.append(
            Sheet(
                language,
                organisation.name,
                view.title,
                view.we_did,
                results.responses,
                results.audience,
                known,
                closed_on,
                tuple(questions),
            )
        )
    return out


def _audience(survey: Survey) -> dict:
    """The broadcast audience nearest the survey's: its networks, its one site, or everyone."""
    if survey.audience == "networks":
        return {"audience": "networks", "network_ids": list(survey.network_ids)}
    if survey.audience == "sites" and len(survey.site_ids) == 1:
        return {"audience": "site", "site_id": survey.site_ids[0]}
    # Everyone opted in, an open survey, or several sites (a broadcast goes to one site or
    # all): the whole organisation, which the admin sees on the draft before sending.
    return {"audience": "organisation"}


def headline_broadcast(
    session: Session, organisation: Organisation, survey: Survey, *, created_by: int | None
) -> Broadcast:
    """A draft broadcast of the survey's "we did", in every language it is written in."""
    if not survey.we_did.strip():
        raise NothingWritten("write what was done first")
    broadcast = create_broadcast(
        session, organisation, body=survey.we_did, created_by=created_by, **_audience(survey)
    )
    for language in languages.CODES[1:]:
        own = translations_for(session, Survey.__tablename__, [survey.id], language)
        text = own.get((survey.id, "we_did"), "")
        if text.strip():
            # The admin's own words, as they wrote them for the survey.
            set_translation(session, broadcast, "body", language, text, reviewed=True)
    session.flush()
    return broadcast
