"""Surveys on paper: which surveys a site's pack prints, and returned sheets typed in twice.

A returned sheet is counted only when two entries of it agree (double entry catches a slip of
the keyboard or a misread tick). The office writes a number on each sheet as it comes out of
the return box; the two entries of a sheet carry that number. Entries that disagree are
flagged and nothing is counted until a further entry agrees with one of them. A sheet once
counted keeps only its number, so it can never be counted again, and nothing links that
number to the response it became. A paper sheet names no one: the response is anonymous, and
unproven (anyone can fill in a sheet), so the results count it with the other answers given
without a proven number.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service import languages
from service.crypto import vault_of
from service.errors import DomainError, ValidationError
from service.organisations.models import Site
from service.surveys.freetext import masked
from service.surveys.models import (
    SCALE,
    Survey,
    SurveyPaperEntry,
    SurveyPaperSheet,
    SurveyQuestion,
)
from service.surveys.operations import (
    SurveyClosed,
    is_open,
    kept_answers,
    open_surveys,
    write_response,
)

CHANNEL = "paper"
# Longest free-text answer typed in from a sheet (a sheet has four lines for it).
MAX_TEXT = 1000
# (outcome, value, text) for one question, as the other channels keep answers.
Given = tuple[str, int | None, str | None]


class AlreadyCounted(DomainError):
    """A sheet number already counted: a sheet counts once."""


@dataclass(frozen=True)
class Entered:
    """What an entry did: "waiting" for its second, "counted", or "mismatch" (flagged)."""

    sheet: int
    result: str


@dataclass(frozen=True)
class Pending:
    """A sheet typed in but not yet counted: how many entries, and where they disagree."""

    sheet: int
    entries: int
    # "site", "language", or the numbers of the questions whose answers differ.
    differs: tuple[str, ...]


def for_site(session: Session, org_id: int, site_id: int, now: dt.datetime) -> list[Survey]:
    """Open surveys a site's noticeboard prints a sheet for.

    A sheet on a noticeboard is for anyone who passes it: only anonymous surveys for everyone
    (open, or everyone opted in) or for this site. A survey for chosen networks is not printed,
    since a corridor cannot be limited to a network and a sensitive network's survey would be
    named on the wall.
    """
    return [
        s
        for s in open_surveys(session, org_id, now)
        if s.mode == "anonymous"
        and (
            s.audience in ("open", "opted_in") or (s.audience == "sites" and site_id in s.site_ids)
        )
    ]


def _checked(question: SurveyQuestion, given: Given) -> Given:
    outcome, value, text = given
    if outcome == "skipped":
        return ("skipped", None, None)
    if outcome == "prefer_not":
        if not question.prefer_not:
            raise ValidationError(f"q{question.position}", "this question has no prefer not to say")
        return ("prefer_not", None, None)
    if outcome != "answered":
        raise ValidationError(f"q{question.position}", f"unknown outcome {outcome!r}")
    if question.kind == "text":
        words = " ".join((text or "").split())
        if not words:
            return ("skipped", None, None)
        if len(words) > MAX_TEXT:
            raise ValidationError(f"q{question.position}", f"at most {MAX_TEXT} characters")
        # Someone who writes their number or address on an anonymous sheet is not named by it.
        return ("answered", None, masked(words))
    allowed = {
        "scale": set(SCALE),
        "yes_no": {0, 1},
        "choice": set(range(1, len(question.option_lines()) + 1)),
    }[question.kind]
    if value not in allowed:
        raise ValidationError(f"q{question.position}", "not one of the question's answers")
    return ("answered", value, None)


def _entry(
    session: Session,
    survey: Survey,
    site_id: int,
    language: str,
    answers: dict[int, Given],
) -> dict:
    site = session.get(Site, site_id)
    if site is None or site.organisation_id != survey.organisation_id:
        raise ValidationError("site", "choose one of the organisation's sites")
    if not languages.is_supported(language):
        raise ValidationError("language", f"unknown language {language!r}")
    checked = {
        str(q.id): list(_checked(q, answers.get(q.id, ("skipped", None, None))))
        for q in survey.questions
    }
    # A sheet whose consent box is not ticked "yes" keeps none of its equality answers, even
    # while it waits for its second entry.
    return {"site_id": site_id, "language": language, "answers": kept_answers(survey, checked)}


def _same(one: dict, other: dict) -> bool:
    def key(entry: dict) -> tuple:
        answers = tuple(
            (q, o, v, (t or "").casefold()) for q, (o, v, t) in sorted(entry["answers"].items())
        )
        return (entry["site_id"], entry["language"], answers)

    return key(one) == key(other)


def _entries(session: Session, survey: Survey, sheet: int) -> list[tuple[SurveyPaperEntry, dict]]:
    vault = vault_of(session)
    rows = session.scalars(
        select(SurveyPaperEntry)
        .where(SurveyPaperEntry.survey_id == survey.id, SurveyPaperEntry.sheet == sheet)
        .order_by(SurveyPaperEntry.id)
    ).all()
    return [(row, json.loads(vault.decrypt(row.entry_encrypted))) for row in rows]


def enter(
    session: Session,
    survey: Survey,
    *,
    sheet: int,
    site_id: int,
    language: str,
    answers: dict[int, Given],
    entered_by: int | None,
    now: dt.datetime,
) -> Entered:
    """Type in one returned sheet; counted once two entries of it agree, flagged if they differ."""
    if not is_open(survey, now):
        raise SurveyClosed()
    if sheet < 1:
        raise ValidationError("sheet", "the sheet number is the number written on the sheet")
    counted = session.scalar(
        select(SurveyPaperSheet.id).where(
            SurveyPaperSheet.survey_id == survey.id, SurveyPaperSheet.sheet == sheet
        )
    )
    if counted is not None:
        raise AlreadyCounted(f"sheet {sheet} has already been counted")
    entry = _entry(session, survey, site_id, language, answers)
    earlier = _entries(session, survey, sheet)
    if any(_same(entry, other) for _row, other in earlier):
        write_response(
            session,
            survey,
            {**entry, "channel": CHANNEL, "verified": False},
            complete=True,
        )
        session.execute(
            delete(SurveyPaperEntry).where(
                SurveyPaperEntry.survey_id == survey.id, SurveyPaperEntry.sheet == sheet
            )
        )
        session.add(SurveyPaperSheet(survey_id=survey.id, sheet=sheet))
        session.flush()
        return Entered(sheet, "counted")
    session.add(
        SurveyPaperEntry(
            survey_id=survey.id,
            sheet=sheet,
            entered_by=entered_by,
            entry_encrypted=vault_of(session).encrypt(json.dumps(entry, ensure_ascii=False)),
        )
    )
    session.flush()
    return Entered(sheet, "mismatch" if earlier else "waiting")


def pending(session: Session, survey: Survey) -> list[Pending]:
    """Sheets typed in but not counted, by number: those waiting and those flagged."""
    numbers = session.scalars(
        select(SurveyPaperEntry.sheet)
        .where(SurveyPaperEntry.survey_id == survey.id)
        .distinct()
        .order_by(SurveyPaperEntry.sheet)
    ).all()
    positions = {str(q.id): str(q.position) for q in survey.questions}
    out = []
    for number in numbers:
        entries = [entry for _row, entry in _entries(session, survey, number)]
        differs: list[str] = []
        for field in ("site_id", "language"):
            if len({e[field] for e in entries}) > 1:
                differs.append("site" if field == "site_id" else field)
        for qid, position in positions.items():
            seen = {json.dumps(e["answers"].get(qid)).casefold() for e in entries}
            if len(seen) > 1:
                differs.append(position)
        out.append(Pending(number, len(entries), tuple(differs)))
    return out


def discard(session: Session, survey: Survey, sheet: int) -> int:
    """Throw away every uncounted entry of a sheet (to type it in afresh); how many went."""
    result = session.execute(
        delete(SurveyPaperEntry).where(
            SurveyPaperEntry.survey_id == survey.id, SurveyPaperEntry.sheet == sheet
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def counted(session: Session, survey: Survey) -> int:
    """How many paper sheets have been counted."""
    return len(
        session.scalars(
            select(SurveyPaperSheet.id).where(SurveyPaperSheet.survey_id == survey.id)
        ).all()
    )
