"""What surveys hold about a person: only what an attributable survey or an unfinished one keeps.

An anonymous survey's finished responses name no one, so they can be neither found for a
person nor erased for them; the privacy notice says so. Privacy reaches these rows through
`HOLDER`, which service/models.py registers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from service.contacts.models import Contact
from service.crypto import Vault
from service.db import utcnow
from service.privacy.registry import Holder, Holding, Target
from service.surveys import taking
from service.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyPaperEntry,
    SurveyRecording,
    SurveyResponse,
    SurveyToken,
)
from service.surveys.operations import open_surveys


def _open(session: Session, contact: Contact) -> list[Survey]:
    return open_surveys(session, contact.organisation_id, utcnow())


def _unfinished(session: Session, contact: Contact) -> list[Survey]:
    identity = taking.identity_of_number(contact.phone)
    return [s for s in _open(session, contact) if taking.current(session, s, identity)]


def erase_for_contact(session: Session, contact: Contact) -> None:
    """Drop the contact's unfinished answers and the responses of attributable surveys."""
    identity = taking.identity_of_number(contact.phone)
    for survey in _open(session, contact):
        taking.forget_progress(session, survey, identity)
    named = select(SurveyResponse.survey_id).where(SurveyResponse.contact_id == contact.id)
    # A batch of answers shown while a survey is open may hold theirs (a written answer, even):
    # it is taken again, without them, when the results are next read.
    session.execute(update(Survey).where(Survey.id.in_(named)).values(answers_batch_encrypted=None))
    session.execute(delete(SurveyResponse).where(SurveyResponse.contact_id == contact.id))


def holdings(session: Session, contact: Contact) -> list[Holding]:
    """Unfinished surveys and attributable responses held for the contact."""
    named = session.scalar(
        select(func.count())
        .select_from(SurveyResponse)
        .where(SurveyResponse.contact_id == contact.id)
    )
    return [
        Holding(
            "survey_unfinished",
            "Surveys started and not finished",
            len(_unfinished(session, contact)),
        ),
        Holding("survey_named", "Answers to surveys that record who answered", named or 0),
    ]


def export(session: Session, contact: Contact, vault: Vault) -> dict[str, Any]:
    """The contact's attributable answers, and the surveys they are part way through."""
    responses = session.scalars(
        select(SurveyResponse).where(SurveyResponse.contact_id == contact.id)
    ).all()
    return {
        "surveys_answered_by_name": [
            {
                "survey": session.get(Survey, r.survey_id).title,  # type: ignore[union-attr]
                "answers": [
                    {
                        "question_id": a.question_id,
                        "outcome": a.outcome,
                        "value": a.value,
                        "text": vault.decrypt(a.text_encrypted) if a.text_encrypted else None,
                    }
                    for a in r.answers
                ],
            }
            for r in responses
        ],
        "surveys_unfinished": [s.title for s in _unfinished(session, contact)],
    }


HOLDER = Holder(
    "surveys",
    erase=erase_for_contact,
    holdings=holdings,
    export=export,
    twilio_records=lambda _contact: (),
    encrypted=(
        Target(Survey.__table__, "token_key_encrypted"),  # type: ignore[arg-type]
        Target(Survey.__table__, "answers_batch_encrypted"),  # type: ignore[arg-type]
        Target(SurveyToken.__table__, "progress_encrypted"),  # type: ignore[arg-type]
        Target(SurveyAnswer.__table__, "text_encrypted"),  # type: ignore[arg-type]
        Target(SurveyPaperEntry.__table__, "entry_encrypted"),  # type: ignore[arg-type]
        Target(SurveyRecording.__table__, "audio_encrypted"),  # type: ignore[arg-type]
    ),
)
