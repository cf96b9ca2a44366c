"""The glossary: one word per idea and language, in locales/<lang>/glossary.toml.

Screens, posters, texts and the phone line name groups, support, events, joining, leaving,
speaking up, the speak-up guardian, surveys, call-backs, case codes and help with these words,
and the keywords accept them (tests/test_glossary.py holds all of them to it). The console shows a
language's glossary beside its translations, so content written there uses the same words.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from service import languages

# Each idea, and the member command its keyword runs (None: a word only, with no command).
IDEAS: dict[str, str | None] = {
    "network": "networks",
    "support": "talk",
    "events": "events",
    "join": "join",
    "leave": "leave",
    "speak_up": "speakup",
    "guardian": None,
    "survey": None,  # each survey has its own keyword; the phone hears this word
    "call_back": "call_me",
    "case_code": "case",
    "help": "help",
}
# The ideas a screen or a poster names, whose word must itself be a keyword that works.
SHOWN = ("network", "support", "events", "join", "speak_up")


@dataclass(frozen=True)
class Term:
    """One idea's words in one language."""

    idea: str
    word: str  # as screens, posters and sentences show it
    keyword: str  # what replies tell people to text (the word itself unless it differs)
    forms: tuple[str, ...] = ()  # inflected forms sentences may use instead of the word
    avoid: dict[str, str] = field(default_factory=dict)  # word -> why it must not be used
    masculine: tuple[str, ...] = ()  # forms that would make the guardian a man
    note: str = ""


@dataclass(frozen=True)
class Glossary:
    """A language's terms, and whether a native speaker has reviewed them."""

    language: str
    reviewed: bool
    terms: dict[str, Term]


@cache
def glossary(language: str) -> Glossary:
    """The glossary of a supported language, read from the installed locales package."""
    if not languages.is_supported(language):
        raise KeyError(language)
    source = resources.files("locales").joinpath(language, "glossary.toml")
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    terms = {}
    for idea in IDEAS:
        raw = data[idea]
        terms[idea] = Term(
            idea=idea,
            word=raw["word"],
            keyword=raw.get("keyword", raw["word"]),
            forms=tuple(raw.get("forms", ())),
            avoid=dict(raw.get("avoid", {})),
            masculine=tuple(raw.get("masculine", ())),
            note=" ".join(raw.get("note", "").split()),
        )
    return Glossary(language=data["language"], reviewed=bool(data["reviewed"]), terms=terms)
