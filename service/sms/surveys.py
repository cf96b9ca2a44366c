"""Surveys by text: the survey's keyword starts one, then one question a text.

While a member is in a survey, their conversation state says only which survey
(list_kind "survey", list_items [survey id]): never the question they are on, and never an
answer. Their place and answers so far are kept by the core under the survey's keyed token
(service.surveys.taking), which nobody can recompute once the survey closes.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.sms.models import ConversationState
from service.surveys.models import Survey

STATE = "survey"


def leave_closed_survey(session: Session, survey: Survey) -> None:
    """No conversation still points at a survey that has closed."""
    states = session.scalars(
        select(ConversationState).where(ConversationState.list_kind == STATE)
    ).all()
    for state in states:
        if (state.list_items or [None])[0] == survey.id:
            state.list_kind, state.list_items, state.list_offset = None, None, 0
