"""Reading an answer from what someone typed, said or pressed: pure, no database."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from service.keywords import fold
from service.surveys import words
from service.surveys.models import SCALE

# 0 is "prefer not to say" on every kind of question that offers it.
PREFER_NOT = 0
# How close a typed option must be to count (0-100), and how long, as for keywords' typos.
OPTION_CUTOFF = 80
OPTION_MIN_LENGTH = 4


@dataclass(frozen=True)
class Answer:
    """What an answer means: answered (with a value or a text) or prefer_not."""

    outcome: str
    value: int | None = None
    text: str | None = None


@dataclass(frozen=True)
class Asked:
    """The question as the respondent sees it: its kind, options (in their language) and 0."""

    kind: str
    options: tuple[str, ...] = ()
    english_options: tuple[str, ...] = ()
    prefer_not: bool = True


def number_in(text: str) -> int | None:
    """A number of one or two digits in any script (٣, ੩, 3), alone; else None."""
    # Also a full stop in any script after it: Urdu's ۔ and the danda । end "۲۔" and "੨।".
    stripped = "".join(text.split()).rstrip(".)\u06d4\u0964")
    if not stripped or len(stripped) > 2:
        return None
    if any(unicodedata.category(c) != "Nd" for c in stripped):
        return None
    return int("".join(str(unicodedata.decimal(c)) for c in stripped))


def _option(text: str, asked: Asked) -> int | None:
    folded = fold(text)
    for options in (asked.options, asked.english_options):
        names = [fold(o) for o in options]
        if folded in names:
            return names.index(folded) + 1
    if len(folded) < OPTION_MIN_LENGTH:
        return None
    names = [fold(o) for o in asked.options] + [fold(o) for o in asked.english_options]
    best = process.extractOne(folded, names, scorer=fuzz.ratio, score_cutoff=OPTION_CUTOFF)
    if best is None:
        return None
    return best[2] % len(asked.options) + 1 if asked.options else None


def read(text: str, asked: Asked, language: str) -> Answer | None:
    """What the text answers, or None when it answers nothing (ask again)."""
    if not text.strip():
        return None
    number = number_in(text)
    if number == PREFER_NOT and asked.prefer_not:
        return Answer("prefer_not")
    if asked.kind == "text":
        return Answer("answered", text=text.strip())
    if asked.kind == "scale":
        return Answer("answered", value=number) if number in SCALE else None
    if asked.kind == "yes_no":
        said = words.yes_no(text, language)
        if said is None and number in (1, 2):
            said = number == 1
        return None if said is None else Answer("answered", value=int(said))
    if number is not None:
        return Answer("answered", value=number) if 1 <= number <= len(asked.options) else None
    found = _option(text, asked)
    return None if found is None else Answer("answered", value=found)
