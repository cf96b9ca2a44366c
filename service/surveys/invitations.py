"""Invitations to a survey: one text to each member of its audience, through the outbox.

The outbox keeps to quiet hours and sends nothing after the survey closes (not_after). Each
member gets the text in their language; a discreet member asked as a member of a sensitive
network gets one that names neither the network nor the survey's title.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask_babel import force_locale
from sqlalchemy.orm import Session

from service.contacts.models import Contact
from service.outbox.operations import Draft, enqueue
from service.surveys import texts
from service.surveys.models import Survey
from service.surveys.operations import audience, is_open, sensitive_audience
from service.surveys.queries import localised

KIND = "survey"


def dedupe_key(survey_id: int, contact_id: int) -> str:
    """One invitation per survey and member, however often the invitations are sent."""
    return f"survey-invite:{survey_id}:{contact_id}"


def survey_invited_to(dedupe: str) -> int | None:
    """The survey an outbox row invited to, from its dedupe key; None for any other row."""
    prefix, _, rest = dedupe.partition(":")
    if prefix != "survey-invite":
        return None
    survey_id, _, _contact = rest.partition(":")
    return int(survey_id) if survey_id.isdigit() else None


def send_invitations(session: Session, survey: Survey, now) -> int:
    """Queue the survey's invitation to everyone in its audience not yet invited; how many."""
    if not is_open(survey, now):
        return 0
    return queue_texts(session, survey, audience(session, survey), texts.invitation, dedupe_key)


def queue_texts(
    session: Session,
    survey: Survey,
    people: Iterable[Contact],
    wording: Callable[..., str],
    dedupe: Callable[[int, int], str],
) -> int:
    """Queue a text about the survey to each person, worded in their language; how many.

    wording(view, discreet=...) words it once per language and discretion: a discreet member
    asked as a member of a sensitive network gets a text naming neither it nor the title.
    """
    sensitive = sensitive_audience(session, survey)
    bodies: dict[tuple[str, bool], str] = {}
    drafts = []
    for contact in people:
        key = (contact.language, sensitive and contact.discreet)
        if key not in bodies:
            with force_locale(contact.language):
                bodies[key] = wording(localised(session, survey, contact.language), discreet=key[1])
        drafts.append(
            Draft(
                contact.id,
                bodies[key],
                dedupe(survey.id, contact.id),
                contact.language,
                network_ids=survey.network_ids if survey.audience == "networks" else None,
                not_after=survey.closes_at,
            )
        )
    return len(enqueue(session, organisation_id=survey.organisation_id, drafts=drafts, kind=KIND))
