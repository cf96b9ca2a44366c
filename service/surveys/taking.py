"""Taking a survey, on any channel: where a respondent is, their answers, one response each.

A respondent is found only by their token, HMAC(survey key, identity), never by a contact id:
the channel passes who they are (a phone number, as "phone:+44…", shared by text and the
phone line so nobody answers once by each) and the core hashes it. Their answers so far are
kept encrypted on the token row until they finish; then they move to an anonymous response
and the token row keeps only "finished".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from service.crypto import vault_of
from service.errors import DomainError
from service.surveys import monitoring
from service.surveys.freetext import masked
from service.surveys.models import Survey, SurveyQuestion, SurveyRecording, SurveyToken
from service.surveys.operations import SurveyClosed, is_open, write_response

TOKEN_PURPOSE = b"frontline survey token v1\x00"


class AlreadyAnswered(DomainError):
    """The person has already answered the survey: one response each."""


class NotStarted(DomainError):
    """The person has no survey in progress to answer, go back in or resume."""


@dataclass(frozen=True)
class Place:
    """The question a respondent is on: the question, its number and how many there are."""

    question: SurveyQuestion
    number: int
    total: int


def identity_of_number(e164: str) -> str:
    """A phone number as a survey identity: the same on the SMS and voice channels."""
    return f"phone:{e164}"


def token_maker(session: Session, survey: Survey) -> Callable[[str], str]:
    """Identity -> token under the survey's key, decrypted once; only while the survey is open."""
    if survey.token_key_encrypted is None:
        raise SurveyClosed()
    key = vault_of(session).decrypt_bytes(survey.token_key_encrypted)
    return lambda identity: hmac.new(
        key, TOKEN_PURPOSE + identity.encode(), hashlib.sha256
    ).hexdigest()


def token_for(session: Session, survey: Survey, identity: str) -> str:
    """The survey's keyed token for a person; only computable while the survey is open."""
    return token_maker(session, survey)(identity)


def _row(session: Session, survey: Survey, identity: str) -> SurveyToken | None:
    return session.get(SurveyToken, token_for(session, survey, identity))


def _place(survey: Survey, position: int) -> Place:
    return Place(survey.questions[position], position + 1, len(survey.questions))


def _progress(session: Session, row: SurveyToken) -> dict:
    return json.loads(vault_of(session).decrypt(row.progress_encrypted or ""))


def _save(session: Session, row: SurveyToken, progress: dict) -> None:
    row.progress_encrypted = vault_of(session).encrypt(json.dumps(progress, ensure_ascii=False))


def begin(
    session: Session,
    survey: Survey,
    identity: str,
    *,
    channel: str,
    language: str,
    now: dt.datetime,
    site_id: int | None = None,
    contact_id: int | None = None,
    verified: bool = True,
) -> Place:
    """Start the survey for a person, or resume where they left off; the question they are on.

    verified=False: the identity is a screen's random handle, not a proven number
    (service.surveys.screens), and the response is marked so.
    """
    if not is_open(survey, now):
        raise SurveyClosed()
    row = _row(session, survey, identity)
    if row is not None and row.finished:
        raise AlreadyAnswered()
    if row is None:
        row = SurveyToken(
            token=token_for(session, survey, identity), survey_id=survey.id, position=0
        )
        session.add(row)
        progress = {"answers": {}, "channel": channel, "site_id": site_id, "language": language}
        if not verified:
            progress["verified"] = False
        if survey.mode == "attributable":
            progress["contact_id"] = contact_id
        _save(session, row, progress)
    session.flush()
    return _place(survey, row.position)


def current(session: Session, survey: Survey, identity: str) -> Place | None:
    """The question a person is on, or None if they have not started or have finished."""
    if survey.token_key_encrypted is None:
        return None
    row = _row(session, survey, identity)
    if row is None or row.finished:
        return None
    return _place(survey, row.position)


def _in_progress(session: Session, survey: Survey, identity: str, now: dt.datetime) -> SurveyToken:
    if not is_open(survey, now):
        raise SurveyClosed()
    row = _row(session, survey, identity)
    if row is None or row.finished:
        raise NotStarted()
    return row


def answer(
    session: Session,
    survey: Survey,
    identity: str,
    *,
    outcome: str,
    now: dt.datetime,
    value: int | None = None,
    text: str | None = None,
    recording: str | None = None,
) -> Place | None:
    """Record the answer to the current question; the next place, or None when finished.

    recording: a SurveyRecording's id, for a free-text answer said on the phone.
    """
    if outcome not in ("answered", "skipped", "prefer_not"):
        raise ValueError(f"unknown outcome {outcome!r}")
    row = _in_progress(session, survey, identity, now)
    progress = _progress(session, row)
    question = survey.questions[row.position]
    # Someone who writes their number or address into an anonymous answer is not named by it.
    kept = masked(text) if text else None
    # An answer given again after BACK replaces the first, and its recording with it.
    _drop_recordings(session, [progress["answers"].get(str(question.id))])
    progress["answers"][str(question.id)] = [outcome, value, kept] + (
        [recording] if recording else []
    )
    following = row.position + 1
    if question.monitoring == monitoring.CONSENT and not monitoring.consented(
        progress["answers"], question.id
    ):
        # No to the equality questions (or a skip): none is asked, and any given before going
        # back to say no goes now. They are always last, so the survey is finished.
        progress["answers"] = {
            q: a
            for q, a in progress["answers"].items()
            if q == str(question.id) or int(q) not in _equality_ids(survey)
        }
        following = len(survey.questions)
    if following < len(survey.questions):
        row.position = following
        _save(session, row, progress)
        return _place(survey, row.position)
    # Finished: the answers leave the token row for an anonymous response, in one transaction.
    write_response(session, survey, progress, complete=True)
    row.finished, row.position, row.progress_encrypted = True, 0, None
    session.flush()
    return None


def _equality_ids(survey: Survey) -> set[int]:
    return {q.id for q in survey.questions if q.monitoring is not None}


def back(session: Session, survey: Survey, identity: str, now: dt.datetime) -> Place:
    """Go back one question (the answer given there is asked again)."""
    row = _in_progress(session, survey, identity, now)
    row.position = max(0, row.position - 1)
    return _place(survey, row.position)


def forget_progress(session: Session, survey: Survey, identity: str) -> bool:
    """Drop a person's unfinished answers (erasure); whether there were any.

    A finished response cannot be found from the person, and stays, anonymous.
    """
    if survey.token_key_encrypted is None:
        return False
    row = _row(session, survey, identity)
    if row is None or row.finished:
        return False
    _drop_recordings(session, list(_progress(session, row)["answers"].values()))
    session.delete(row)
    return True


def _drop_recordings(session: Session, entries: list[list | None]) -> None:
    """Delete the recordings of answers that are being dropped (a person's voice is theirs)."""
    for entry in entries:
        if entry and len(entry) > 3 and entry[3]:
            found = session.get(SurveyRecording, entry[3])
            if found is not None:
                session.delete(found)
