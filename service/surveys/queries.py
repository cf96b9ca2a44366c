"""Surveys as channels show them: in the respondent's language, English where untranslated."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from service.content.queries import translations_for
from service.surveys import monitoring
from service.surveys.answers import Asked
from service.surveys.models import Survey, SurveyQuestion


@dataclass(frozen=True)
class QuestionView:
    """One question in one language."""

    id: int
    kind: str
    text: str
    asked: Asked
    # Said before the question on every channel: the consent question's explanation.
    preface: str = ""
    # None for the author's own questions; "consent" or the characteristic an equality one asks.
    monitoring: str | None = None


@dataclass(frozen=True)
class SurveyView:
    """A survey's title, introduction and questions in one language."""

    id: int
    title: str
    intro: str
    we_did: str
    keyword: str
    anonymous: bool
    questions: tuple[QuestionView, ...]
    # Where a paper sheet is returned ("" when the survey does not say).
    return_to: str = ""


def _question(question: SurveyQuestion, texts: dict) -> QuestionView:
    options = texts.get((question.id, "options")) or question.options
    english = tuple(question.option_lines())
    translated = tuple(question.option_lines(options))
    # A translation with a different number of options would shift the answers: not used.
    shown = translated if len(translated) == len(english) else english
    return QuestionView(
        question.id,
        question.kind,
        texts.get((question.id, "text")) or question.text,
        Asked(question.kind, shown, english, question.prefer_not),
    )


def _equality(question: SurveyQuestion, language: str) -> QuestionView:
    """A fixed equality question in a language: the service's catalogs translate it."""
    english = tuple(question.option_lines())
    with force_locale(language):
        options = tuple(_(option) for option in english)
        text = _(question.text)
        preface = _(monitoring.CONSENT_PREFACE) if question.monitoring == monitoring.CONSENT else ""
    return QuestionView(
        question.id,
        question.kind,
        text,
        Asked(question.kind, options, english, question.prefer_not),
        preface,
        question.monitoring,
    )


def localised(session: Session, survey: Survey, language: str) -> SurveyView:
    """The survey in a language, field by field falling back to English."""
    own = translations_for(session, "survey", [survey.id], language)
    texts = translations_for(session, "survey_question", [q.id for q in survey.questions], language)
    return SurveyView(
        survey.id,
        own.get((survey.id, "title")) or survey.title,
        own.get((survey.id, "intro")) or survey.intro,
        own.get((survey.id, "we_did")) or survey.we_did,
        survey.keyword,
        survey.mode == "anonymous",
        tuple(
            _equality(q, language) if q.monitoring else _question(q, texts)
            for q in survey.questions
        ),
        own.get((survey.id, "return_to")) or survey.return_to,
    )
