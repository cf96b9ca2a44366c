"""The one reminder: the invitation again, to those in the audience who have not answered.

Who has answered is known only through the tokens: each member's token is recomputed from
their number with the survey's key, and a member whose token row says finished is left out.
Once the survey closes its key is gone, so nobody can be reminded (or told apart) any more.
Like the invitation, the reminder goes through the outbox (quiet hours, each member's
language, nothing after the closing date), and a discreet member asked as a member of a
sensitive network gets words that name neither the network nor the survey's title.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.errors import DomainError, ValidationError
from service.surveys import texts
from service.surveys.invitations import dedupe_key as invitation_key
from service.surveys.invitations import queue_texts
from service.surveys.models import Survey, SurveyToken
from service.surveys.operations import SurveyClosed, audience, is_open
from service.surveys.taking import identity_of_number, token_maker


class AlreadyReminded(DomainError):
    """The survey's one reminder has been sent already."""


def dedupe_key(survey_id: int, contact_id: int) -> str:
    """One reminder per survey and member; read as an invitation (a YES reply starts it)."""
    return f"{invitation_key(survey_id, contact_id)}:reminder"


def send_reminder(session: Session, survey: Survey, now: dt.datetime) -> int:
    """Queue the survey's one reminder to each member of its audience who has not finished."""
    if not is_open(survey, now):
        raise SurveyClosed()
    if survey.reminded_at is not None:
        raise AlreadyReminded()
    if survey.audience == "open":
        raise ValidationError("audience", "an open survey invited nobody, so it reminds nobody")
    token_of = token_maker(session, survey)  # SurveyClosed once the key is gone
    finished = set(
        session.scalars(
            select(SurveyToken.token).where(
                SurveyToken.survey_id == survey.id, SurveyToken.finished
            )
        )
    )
    waiting = [
        contact
        for contact in audience(session, survey)
        if token_of(identity_of_number(contact.phone)) not in finished
    ]
    survey.reminded_at = now
    return queue_texts(session, survey, waiting, texts.reminder, dedupe_key)
