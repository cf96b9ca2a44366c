"""Equality monitoring: optional questions about who answered, after an explicit consent.

A survey may end with fixed questions on protected characteristics of the Equality Act 2010,
worded and translated by the service (not the survey's author, so the words are the same in
every survey and language). They are ordinary questions to every channel: the consent question
is a yes/no question whose preface (service.surveys.queries) says what the questions are for,
and a respondent who does not say yes to it is asked none of them, and nothing they gave to one
is stored (kept_answers). Each offers "prefer not to say".

Chosen, of the Act's nine characteristics, seven: age (in bands), disability, ethnic group (the
ONS's five broad groups), religion or belief, sex, sexual orientation and gender reassignment
(the ONS's question on gender identity). Not asked: pregnancy and maternity, a passing state
that in a team of a few dozen points at one or two people, and whose fair treatment is seen in
leave and return records rather than in what staff say; and marriage and civil partnership,
which the Act protects only at work and in one direction, and which says nothing about whether
a group of staff is being heard. Both would lengthen every text survey by a question.

Monitoring is for anonymous surveys only: an attributable one stores who answered, and these
answers are special-category data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

CONSENT = "consent"
# Fewer than this in a group, and no breakdown shows the group on its own (service.surveys.
# breakdown): with ten, no answer in it points at one person.
GROUP_MIN = 10


def N_(text: str) -> str:
    """Mark a string for the catalogs without translating it (it is translated where shown)."""
    return text


@dataclass(frozen=True)
class Characteristic:
    """One protected characteristic as a question: its key, label, wording and answers."""

    key: str
    label: str  # the console's name for it (English: the console is in English)
    kind: str  # choice | yes_no
    text: str  # the question (a msgid)
    options: tuple[str, ...] = ()  # a choice's answers (msgids)
    # What a group of a yes/no question is called in a breakdown: (yes, no).
    groups: tuple[str, str] = ("Yes", "No")


CONSENT_PREFACE = N_(
    "Equality questions (optional): we ask them to check that staff of every background are "
    "heard. Your answers stay anonymous, and results are only shown for groups of 10 or more "
    "people."
)
CONSENT_QUESTION = N_("Will you answer them? If you say no, they are all skipped.")
# On the paper sheet, under the consent question's own yes and no boxes.
CONSENT_PAPER_NOTE = N_(
    "If you tick No, leave the questions below blank: nothing in them is counted."
)

CHARACTERISTICS: tuple[Characteristic, ...] = (
    Characteristic(
        "age",
        "Age band",
        "choice",
        N_("How old are you?"),
        (
            N_("Under 25"),
            N_("25 to 34"),
            N_("35 to 44"),
            N_("45 to 54"),
            N_("55 to 64"),
            N_("65 or over"),
        ),
    ),
    Characteristic(
        "disability",
        "Disability",
        "yes_no",
        N_("Do you consider yourself to have a disability or a long-term health condition?"),
        groups=("Disabled", "Not disabled"),
    ),
    Characteristic(
        "ethnicity",
        "Ethnic group",
        "choice",
        N_("What is your ethnic group?"),
        (
            N_("Asian or Asian British"),
            N_("Black, Black British, Caribbean or African"),
            N_("Mixed or multiple ethnic groups"),
            N_("White"),
            N_("Another ethnic group"),
        ),
    ),
    Characteristic(
        "religion",
        "Religion or belief",
        "choice",
        N_("What is your religion or belief?"),
        (
            N_("No religion"),
            N_("Christian"),
            N_("Buddhist"),
            N_("Hindu"),
            N_("Jewish"),
            N_("Muslim"),
            N_("Sikh"),
            N_("Another religion or belief"),
        ),
    ),
    Characteristic("sex", "Sex", "choice", N_("What is your sex?"), (N_("Female"), N_("Male"))),
    Characteristic(
        "orientation",
        "Sexual orientation",
        "choice",
        N_("Which best describes your sexual orientation?"),
        (
            N_("Straight or heterosexual"),
            N_("Gay or lesbian"),
            N_("Bisexual"),
            N_("Another sexual orientation"),
        ),
    ),
    Characteristic(
        "gender_identity",
        "Gender reassignment",
        "yes_no",
        N_("Is the gender you identify with the same as your sex registered at birth?"),
        groups=("Same as at birth", "Not the same as at birth"),
    ),
)
BY_KEY: dict[str, Characteristic] = {c.key: c for c in CHARACTERISTICS}


def group_labels(key: str) -> list[tuple[int, str]]:
    """A characteristic's groups as (stored value, English label), in the question's order."""
    found = BY_KEY[key]
    if found.kind == "yes_no":
        return [(1, found.groups[0]), (0, found.groups[1])]
    return list(enumerate(found.options, start=1))


def consented(answers: Mapping[str, list], consent_id: int | None) -> bool:
    """Whether the answers say yes to the consent question (answers keyed by question id)."""
    if consent_id is None:
        return False
    given = answers.get(str(consent_id))
    return bool(given) and given[0] == "answered" and given[1] == 1


def kept_answers(
    answers: Mapping[str, list], consent_id: int | None, monitoring_ids: set[int]
) -> dict[str, list]:
    """The answers to store: without any equality answer unless the consent said yes.

    Whatever was given to an equality question (on a paper sheet ticked "no", or before going
    back to the consent question and saying no) is dropped, not stored as skipped.
    """
    if consented(answers, consent_id):
        return dict(answers)
    return {q: a for q, a in answers.items() if int(q) not in monitoring_ids}
