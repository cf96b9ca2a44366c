"""A survey to answer: the real operations, the suite's clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from service.contacts.models import Membership
from service.db import utcnow
from service.organisations.models import Organisation
from service.surveys import operations as surveys
from service.surveys import taking
from service.surveys.models import Survey
from tests.support import factories

QUESTIONS = (
    {"kind": "choice", "text": "How do you get to work?", "options": ["Bus", "Car", "Walk"]},
    {"kind": "scale", "text": "How well does your manager listen?"},
    {"kind": "yes_no", "text": "Have you heard of the carers' network?"},
    {"kind": "text", "text": "What one thing would help most?"},
)


def create_survey(
    session: Session,
    org: Organisation,
    *,
    keyword: str = "PULSE",
    questions=QUESTIONS,
    opened: bool = True,
    days: int = 14,
    monitoring: tuple[str, ...] = (),
    **fields,
) -> Survey:
    """A survey with the four kinds of question, open for answers for two weeks.

    monitoring: the equality questions' characteristics to end it with, after their consent.
    """
    fields.setdefault("title", "Pulse survey")
    fields.setdefault("intro", "Four quick questions. Your answers are anonymous.")
    survey = surveys.create_survey(
        session, org, keyword=keyword, closes_at=utcnow() + dt.timedelta(days=days), **fields
    )
    for question in questions:
        surveys.add_question(session, survey, **question)
    if monitoring:
        surveys.set_monitoring(session, survey, monitoring)
    if opened:
        surveys.open_survey(session, survey, utcnow())
    session.flush()
    return survey


def network_survey(
    session: Session,
    org: Organisation,
    members: Iterable[tuple[str, str, bool]],
    *,
    outsider: str,
    sensitive: bool = True,
) -> Survey:
    """A survey for a new network's members (number, language, discreet), titled after it.

    The title is in English and Polish; outsider is a member of no network, whom it never asks.
    """
    network = factories.create_network(
        session, org=org, name="Mental Health Peer Support", sensitive=sensitive
    )
    for number, language, discreet in members:
        contact = factories.create_contact(session, org=org, phone=number, language=language)
        contact.discreet = discreet
        session.add(Membership(contact_id=contact.id, network_id=network.id, channel="sms"))
    factories.create_contact(session, org=org, phone=outsider)
    survey = create_survey(
        session,
        org,
        title="Mental Health Peer Support survey",
        audience="networks",
        network_ids=[network.id],
    )
    surveys.translate(session, survey, "title", "pl", "Ankieta grupy wsparcia")
    session.flush()
    return survey


def respond(session, survey, n: int, *, language="en", choice=1, text=None) -> None:
    """One person's answers to the four questions by text: a choice, 3, yes, and text."""
    who = taking.identity_of_number(f"+4474006{n:05d}")
    now = utcnow()
    taking.begin(session, survey, who, channel="sms", language=language, now=now)
    taking.answer(session, survey, who, outcome="answered", value=choice, now=now)
    taking.answer(session, survey, who, outcome="answered", value=3, now=now)
    taking.answer(session, survey, who, outcome="answered", value=1, now=now)
    if text is None:
        taking.answer(session, survey, who, outcome="skipped", now=now)
    else:
        taking.answer(session, survey, who, outcome="answered", text=text, now=now)


def crisis_line(app, code: str) -> str:
    """The crisis line's words as the demo's Samaritans line gives them, in the language code."""
    with app.test_request_context(), force_locale(code):
        return _(
            "If you are in danger now, call 999. %(name)s: %(phone)s, free, any time. "
            "You are not alone.",
            name="Samaritans",
            phone="116 123",
        )
