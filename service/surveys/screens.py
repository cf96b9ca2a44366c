"""Surveys on shared kiosks and public pages: who may answer, as whom, and how often.

A screen has two kinds of respondent, and one response each is kept differently for each:

- Someone whose number a kiosk visit has proven (service.verification.visits): their identity
  is their number, the very identity texts and the phone line use, so they answer once across
  every channel. A survey for an audience (everyone opted in, networks, sites) takes only
  these, and only its own audience; a kiosk offers it with "prove your number first".
- For an open survey, anyone, with no number. Nothing then tells a second answer from the
  same person, so we do not pretend to: the screen gets a random handle as its identity (held
  only in the page script's memory, gone at the kiosk's reset), the response is marked
  unverified so the results show how many there are, and each registered kiosk (its site and
  address; kiosk/surveys.py checks the console's credential) may start KIOSK_PER_HOUR such
  responses an hour, and each web address, or a browser at the kiosk's path without the
  credential, WEB_PER_HOUR. A kiosk's
  queue of colleagues fits in that; one person stuffing the ballot hits the limit in minutes,
  and what they managed is visible as unverified, not mixed into the proven count.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.orm import Session

from service.contacts.models import Contact
from service.db import count_under_limit
from service.errors import DomainError, NotFound, ValidationError
from service.messaging import crisis
from service.surveys import taking
from service.surveys.models import SCALE, Survey, SurveyQuestion, SurveyThrottle
from service.surveys.operations import SurveyClosed, in_audience, is_open, open_surveys

# Unproven responses one kiosk may start in an hour: one every two minutes, a shift's queue.
KIOSK_PER_HOUR = 30
# Unproven responses one web address may start in an hour: a person on their phone needs one.
WEB_PER_HOUR = 3
# Longest free-text answer a screen takes (SMS answers are one text, about this long).
MAX_TEXT = 1000
HOUR = dt.timedelta(hours=1)


class NumberNeeded(DomainError):
    """The survey is for an audience: only a proven number can answer it."""


class NotForYou(DomainError):
    """The proven number is not in the survey's audience."""


class TooManyHere(DomainError):
    """The kiosk or address has started as many unproven responses this hour as it may."""


class InCrisis(DomainError):
    """A written answer says its writer may be at risk: it is not kept; the crisis line is."""

    def __init__(self, language: str | None) -> None:
        super().__init__("crisis words in a written answer")
        self.language = language  # the language the words are written in, when known


class WrongQuestion(DomainError):
    """The answer is for a question the respondent is no longer on (a double tap)."""


@dataclass(frozen=True)
class Respondent:
    """Who answers on a screen: a proven contact, or an unproven screen's handle."""

    contact: Contact | None = None
    handle: str | None = None

    @property
    def identity(self) -> str:
        """The identity the survey's keyed token is made from."""
        if self.contact is not None:
            return taking.identity_of_number(self.contact.phone)
        if not self.handle:
            raise taking.NotStarted()
        # Never a number's form ("phone:…"), so no handle can stand for someone's number.
        return f"screen:{self.handle}"


def offered(
    session: Session, org_id: int, now: dt.datetime, *, site_id: int | None
) -> list[Survey]:
    """Open surveys a screen offers: a public page (site None) only those open to anyone."""
    found = open_surveys(session, org_id, now)
    if site_id is None:
        return [s for s in found if s.audience == "open"]
    # A survey for other sites' people is nobody's business at this kiosk.
    return [s for s in found if s.audience != "sites" or site_id in s.site_ids]


def survey_offered(
    session: Session, org_id: int, survey_id: object, now: dt.datetime, *, site_id: int | None
) -> Survey:
    """The open survey with this id, if this screen offers it; NotFound otherwise."""
    for survey in offered(session, org_id, now, site_id=site_id):
        if survey.id == survey_id:
            return survey
    raise NotFound("no such survey open here")


def _counted(session: Session, survey: Survey, place: str, now: dt.datetime, limit: int) -> bool:
    window = now.replace(minute=0, second=0, microsecond=0)
    # Keyed under the survey's key like a token: the place cannot be read back from the row.
    key = taking.token_for(session, survey, f"throttle:{place}|{window.isoformat()}")
    table = SurveyThrottle.__table__
    session.execute(
        delete(table).where(table.c.survey_id == survey.id, table.c.window_start < window)
    )
    # One atomic statement: parallel starts from one kiosk get `limit` in all, not each.
    return count_under_limit(session, table, key, limit, survey_id=survey.id, window_start=window)


def begin(
    session: Session,
    survey: Survey,
    respondent: Respondent,
    *,
    place: str,
    per_hour: int,
    channel: str,
    site_id: int | None,
    language: str,
    now: dt.datetime,
) -> tuple[Respondent, taking.Place]:
    """Start (or resume) the survey on a screen; the respondent (with a new handle) and place.

    place names the kiosk or address an unproven start counts against (per_hour of them).
    """
    if not is_open(survey, now):
        raise SurveyClosed()
    if respondent.contact is not None:
        if not in_audience(session, survey, respondent.contact):
            raise NotForYou()
        found = taking.begin(
            session,
            survey,
            respondent.identity,
            channel=channel,
            language=language,
            now=now,
            site_id=site_id,
            contact_id=respondent.contact.id,
        )
        return respondent, found
    if survey.audience != "open":
        raise NumberNeeded()
    if not _counted(session, survey, place, now, per_hour):
        raise TooManyHere()
    unproven = Respondent(handle=secrets.token_urlsafe(24))
    found = taking.begin(
        session,
        survey,
        unproven.identity,
        channel=channel,
        language=language,
        now=now,
        site_id=site_id,
        verified=False,
    )
    return unproven, found


def checked_answer(
    question: SurveyQuestion, outcome: object, value: object, text: object
) -> tuple[str, int | None, str | None]:
    """A screen's answer to a question, checked as the question allows; ValidationError else."""
    if outcome == "skipped":
        return "skipped", None, None
    if outcome == "prefer_not" and question.prefer_not:
        return "prefer_not", None, None
    if outcome != "answered":
        raise ValidationError("outcome", "not an answer this question takes")
    if question.kind == "text":
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
            raise ValidationError("text", f"a written answer of 1 to {MAX_TEXT} characters")
        return "answered", None, text.strip()
    allowed = {
        "choice": range(1, len(question.option_lines()) + 1),
        "scale": SCALE,
        "yes_no": range(2),
    }[question.kind]
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        raise ValidationError("value", "not one of this question's answers")
    return "answered", value, None


def answer(
    session: Session,
    survey: Survey,
    respondent: Respondent,
    *,
    question_id: object,
    outcome: object,
    value: object = None,
    text: object = None,
    now: dt.datetime,
) -> taking.Place | None:
    """Answer the question the respondent is on; the next place, or None once finished."""
    if not is_open(survey, now):
        raise SurveyClosed()
    place = taking.current(session, survey, respondent.identity)
    if place is None:
        raise taking.NotStarted()
    if place.question.id != question_id:
        raise WrongQuestion()
    found = crisis.detect(text) if isinstance(text, str) else None
    if found is not None:
        # Not kept: in an anonymous survey nobody could reach the writer, and the words would
        # sit in results that colleagues read. The question stays theirs to answer or skip.
        raise InCrisis(found.language)
    kept = checked_answer(place.question, outcome, value, text)
    return taking.answer(
        session,
        survey,
        respondent.identity,
        outcome=kept[0],
        value=kept[1],
        text=kept[2],
        now=now,
    )


def forget(session: Session, survey: Survey, respondent: Respondent) -> bool:
    """A screen was left part way (the kiosk reset): its unproven answers so far go.

    A proven respondent's place is theirs (they may carry on by text), so it stays.
    """
    if respondent.contact is not None or not respondent.handle:
        return False
    return taking.forget_progress(session, survey, respondent.identity)
