"""What a survey says by text, written once for the SMS channel and the console's preview.

Each function works in the active locale (the caller wraps it in force_locale) and gives one
text that fits in two SMS segments; a question too long for that is cut at a word, and the
console shows the exact text and its segments so its author can shorten it.
"""

from __future__ import annotations

from flask_babel import gettext as _

from service.messaging.replies import CONSENT_SEGMENTS, fit, truncate
from service.surveys import words
from service.surveys.answers import PREFER_NOT
from service.surveys.queries import QuestionView, SurveyView


def _how_to_answer(question: QuestionView, language: str) -> str:
    if question.kind == "choice":
        return ", ".join(f"{n} {o}" for n, o in enumerate(question.asked.options, start=1))
    if question.kind == "scale":
        return _("Reply 1 (low) to 5 (high).")
    if question.kind == "yes_no":
        return _(
            "Reply %(yes)s or %(no)s.",
            yes=words.shown("yes", language),
            no=words.shown("no", language),
        )
    return _("Reply in your own words.")


def question(question: QuestionView, number: int, total: int, language: str) -> str:
    """One question as a text: progress, the question, how to answer, and the survey's words."""
    head = _(
        "%(number)s of %(total)s: %(question)s", number=number, total=total, question=question.text
    )
    parts = [head, _how_to_answer(question, language)]
    if question.asked.prefer_not:
        parts.append(_("%(zero)s: prefer not to say.", zero=PREFER_NOT))
    moves = _(
        "%(skip)s, %(back)s or %(later)s.",
        skip=words.shown("skip", language),
        back=words.shown("back", language),
        later=words.shown("later", language),
    )
    full = " ".join([*parts, moves])
    return fit(full, lambda: " ".join(parts), lambda: truncate(" ".join(parts)))


def preface(question: QuestionView) -> str:
    """What is said before a question (the equality questions' consent), as one text.

    Said in full: it is what the respondent agrees to. Written to fit the three segments a
    consent may take in any language (tests/surveys/test_monitoring.py checks each).
    """
    return fit(question.preface, segments=CONSENT_SEGMENTS)


def introduction(survey: SurveyView, *, discreet: bool = False) -> str:
    """The survey's title and introduction, and whether it is anonymous, as the first text.

    discreet: the member keeps private groups private and the survey is for a sensitive
    group, whose name its title may carry: the text then names neither.
    """
    kept = (
        _("Anonymous: nobody, not even the organisers, can see who answered.")
        if survey.anonymous
        else _("This survey records who answered.")
    )
    intro = _("A short survey.") if discreet else f"{survey.title}: {survey.intro}".rstrip(": ")
    return fit(f"{intro} {kept}", lambda: f"{truncate(intro, 1)} {kept}")


def invitation(survey: SurveyView, *, discreet: bool = False) -> str:
    """The invitation sent through the outbox: what the survey is, and the word that starts it."""
    start = _("Text %(keyword)s to answer.", keyword=survey.keyword)
    intro = (
        _("A short survey is open for you.")
        if discreet
        else f"{survey.title}: {survey.intro}".rstrip(": ")
    )
    return fit(f"{intro} {start}", lambda: f"{truncate(intro, 1)} {start}")


def not_understood(question: QuestionView, language: str) -> str:
    """Asked again: what counts as an answer to this question."""
    return _(
        "Sorry, that is not an answer to this question. %(how)s Or text %(skip)s.",
        how=_how_to_answer(question, language)
        if question.kind != "choice"
        else _("Reply with the number of your answer."),
        skip=words.shown("skip", language),
    )


def finished() -> str:
    """After the last answer."""
    return _("Thank you, that is all. Your answers have been counted.")


def paused(keyword: str) -> str:
    """After LATER."""
    return _("OK, paused. Text %(keyword)s to carry on where you left off.", keyword=keyword)


def already_answered() -> str:
    """A second try at a survey already answered."""
    return _("You have already answered this survey. Thank you.")


def closed() -> str:
    """A survey's keyword after it has closed."""
    return _("This survey has closed. Thank you.")


def not_for_you() -> str:
    """A survey's keyword from someone outside its audience (never saying who it is for)."""
    return _("Sorry, this survey is not open to you.")


def reminder(survey: SurveyView, *, discreet: bool = False) -> str:
    """The one reminder, to those who have not answered: the invitation again, said so."""
    start = _("Text %(keyword)s to answer.", keyword=survey.keyword)
    about = (
        _("A reminder: a short survey is still open for you.")
        if discreet
        else _("A reminder: %(title)s is still open.", title=survey.title)
    )
    return fit(f"{about} {start}", lambda: f"{truncate(about, 1)} {start}")
