"""Surveys by text: the survey's keyword starts one, then one question a text.

While a member is in a survey, their conversation state says only which survey
(list_kind "survey", list_items [survey id]): never the question they are on, and never an
answer. Their place and answers so far are kept by the core under the survey's keyed token
(service.surveys.taking), which nobody can recompute once the survey closes. The inbound log
records such texts as "survey", without their words even when bodies are kept.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.keywords import Parsed, fold, parse, tokens
from service.outbox.models import OutboundMessage
from service.sms.context import CHANNEL, ConversationBase
from service.sms.models import ConversationState
from service.surveys import answers, taking, texts, words
from service.surveys import operations as surveys
from service.surveys.invitations import survey_invited_to
from service.surveys.models import Survey
from service.surveys.operations import SurveyClosed
from service.surveys.queries import SurveyView, localised

STATE = "survey"
# Texts that leave a survey part way through for the command they ask for: anything the
# service understands besides a number or a yes/no, when the question is not free text.
_NOT_ANSWERS = frozenset({"pick", "yes", "no", "unknown", "empty", "all", "going", "not_going"})


def leave_closed_survey(session: Session, survey: Survey) -> None:
    """No conversation still points at a survey that has closed."""
    states = session.scalars(
        select(ConversationState).where(ConversationState.list_kind == STATE)
    ).all()
    for state in states:
        if (state.list_items or [None])[0] == survey.id:
            state.list_kind, state.list_items, state.list_offset = None, None, 0


class SurveyCommands(ConversationBase):
    """A survey's keyword, and every text while a survey is being answered."""

    text: str = ""

    def survey_for(self, text: str, *, may_be_keyword: bool = True) -> Survey | None:
        """The survey this text is for: the one being answered, or the one its keyword names.

        may_be_keyword=False: the text was read as exactly a command or a group's keyword, words
        no survey may take (content.operations refuses reserved and taken words), so no query.
        """
        if self.state.list_kind == STATE:
            survey = self.session.get(Survey, (self.state.list_items or [0])[0])
            if survey is not None and surveys.is_open(survey, self.now):
                return survey
            self._leave()  # closed since: the text is an ordinary one again
        if self.state.pending_kind is None and words.yes_no(text, self.language):
            # YES to the last thing we sent, when that was a survey's invitation.
            return self._invited_to()
        if not may_be_keyword:
            return None  # before folding the text: a command's own word is no survey's keyword
        found = tokens(fold(text))
        if len(found) != 1:
            return None
        return self.session.scalar(
            select(Survey).where(
                Survey.organisation_id == self.org.id,
                Survey.keyword == found[0],
                Survey.status != "draft",
            )
        )

    def _invited_to(self) -> Survey | None:
        last = self.session.scalar(
            select(OutboundMessage.dedupe_key)
            .where(OutboundMessage.contact_id == self.contact.id)
            .order_by(OutboundMessage.id.desc())
            .limit(1)
        )
        survey_id = survey_invited_to(last) if last else None
        return self.session.get(Survey, survey_id) if survey_id else None

    @property
    def identity(self) -> str:
        """Who the member is to a survey: their number, which only the survey's key hashes."""
        return taking.identity_of_number(self.contact.phone)

    def _view(self, survey: Survey) -> SurveyView:
        return localised(self.session, survey, self.language)

    def _discreet(self, survey: Survey) -> bool:
        return self.contact.discreet and surveys.sensitive_audience(self.session, survey)

    def _ask(self, view: SurveyView, place: taking.Place) -> list[str]:
        asked = view.questions[place.number - 1]
        # The consent question's explanation is a text of its own, said in full before it.
        preface = [texts.preface(asked)] if asked.preface else []
        return [*preface, texts.question(asked, place.number, place.total, self.language)]

    def pause_survey(self) -> None:
        """Leave a survey part way, as LATER does, saying nothing: the keyword resumes it."""
        if self.state.list_kind == STATE:
            self._leave()

    def _leave(self) -> None:
        self.state.list_kind, self.state.list_items, self.state.list_offset = None, None, 0

    def _on_survey(self, parsed: Parsed, pending: Any) -> list[str]:
        survey = self.survey_for(self.text)
        if survey is None:  # the conversation routes here only when there is one
            return [texts.closed()]
        if self.state.list_kind == STATE:
            return self._in_survey(survey)
        return self._start(survey)

    def _start(self, survey: Survey) -> list[str]:
        if not surveys.is_open(survey, self.now):
            return [texts.closed()]
        if not surveys.in_audience(self.session, survey, self.contact):
            return [texts.not_for_you()]
        view = self._view(survey)
        try:
            place = taking.begin(
                self.session,
                survey,
                self.identity,
                channel=CHANNEL,
                language=self.language,
                now=self.now,
                site_id=self.contact.site_id,
                contact_id=self.contact.id,
            )
        except taking.AlreadyAnswered:
            return [texts.already_answered()]
        self._set_list(STATE, [survey.id])
        first = (
            [] if place.number > 1 else [texts.introduction(view, discreet=self._discreet(survey))]
        )
        return [*first, *self._ask(view, place)]

    def _in_survey(self, survey: Survey) -> list[str]:
        view = self._view(survey)
        place = taking.current(self.session, survey, self.identity)
        if place is None:  # finished or erased meanwhile
            self._leave()
            return [texts.already_answered()]
        asked = view.questions[place.number - 1]
        move = words.control(self.text, self.language)
        try:
            if move == "later":
                self._leave()
                return [texts.paused(survey.keyword)]
            if move == "back":
                return self._ask(view, taking.back(self.session, survey, self.identity, self.now))
            if move == "skip":
                return self._next(survey, view, outcome="skipped")
            answer = answers.read(self.text, asked.asked, self.language)
            if answer is None:
                other = parse(self.text, self.keywords().keys())
                if asked.kind != "text" and other.kind not in _NOT_ANSWERS and not other.guessed:
                    self._leave()  # another command: the survey waits for its keyword
                    return [texts.paused(survey.keyword), *self.answer_parsed(other)]  # type: ignore[attr-defined]
                return [texts.not_understood(asked, self.language)]
            return self._next(
                survey, view, outcome=answer.outcome, value=answer.value, text=answer.text
            )
        except SurveyClosed:
            self._leave()
            return [texts.closed()]

    def _next(self, survey: Survey, view: SurveyView, **given: Any) -> list[str]:
        place = taking.answer(self.session, survey, self.identity, now=self.now, **given)
        if place is None:
            self._leave()
            return [texts.finished()]
        return self._ask(view, place)
