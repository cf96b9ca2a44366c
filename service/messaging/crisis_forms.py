"""Build crisis_forms_table.py: the inflected forms of the crisis phrases' words.

Every form of their Polish, Romanian and English words, from simplemma's dictionaries.
Run `python -m service.messaging.crisis_forms` after changing crisis_phrases.py. The table
is built ahead of time because simplemma's Polish dictionary takes 400 MB and seconds to
load: too much for every web and queue worker. tests/messaging/test_crisis.py checks that
the table is current.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from service.messaging.crisis import GAP, GAP_ONE, LEMMATISED, fold, words
from service.messaging.crisis_phrases import CRISIS_PHRASES


def lemmas_used(language: str) -> set[str]:
    """The words of a language's phrases whose inflected forms count: all but =exact and prefix*."""
    used = set()
    for phrase in CRISIS_PHRASES[language]:
        for part in phrase.split():
            if part in (GAP, GAP_ONE):
                continue
            # An `!A|B_C` part's words are matched like any other (a `…` before one is a gap).
            for option in part.removeprefix("!").replace("…", "").replace("_", "|").split("|"):
                if not option.startswith("=") and not option.endswith("*"):
                    used.add(option.lower())
    return used


def _dictionary(language: str) -> Mapping[str, str]:
    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    return DefaultDictionaryFactory(cache_max_size=1).get_dictionary(language)


TABLE_FILE = Path(__file__).with_name("crisis_forms_table.py")
HEADER = '''"""Made by `python -m service.messaging.crisis_forms` from simplemma: do not edit."""

# A Python module rather than a data file, so that it travels inside any built wheel.
FORMS: dict[str, dict[str, tuple[str, ...]]] = {
'''


def build() -> dict[str, dict[str, tuple[str, ...]]]:
    """Folded form -> folded lemmas, per lemmatised language, for the phrases' words only."""
    table: dict[str, dict[str, tuple[str, ...]]] = {}
    for language in LEMMATISED:
        wanted = lemmas_used(language)
        forms: dict[str, set[str]] = {}
        for form, lemma in _dictionary(language).items():
            if lemma.lower() not in wanted:
                continue
            folded = fold(form)
            # Only forms that can be one word of a text: d' or -mi never stand alone.
            if words(folded) == [folded]:
                forms.setdefault(folded, set()).add(fold(lemma))
        table[language] = {form: tuple(sorted(lemmas)) for form, lemmas in sorted(forms.items())}
    return table


def render(table: dict[str, dict[str, tuple[str, ...]]]) -> str:
    """The table as the source of crisis_forms_table.py."""
    lines = [HEADER]
    for language, forms in table.items():
        lines.append(f"    {_quoted(language)}: {{\n")
        for form, lemmas in forms.items():
            listed = ", ".join(_quoted(lemma) for lemma in lemmas) + (
                "," if len(lemmas) == 1 else ""
            )
            lines.append(f"        {_quoted(form)}: ({listed}),\n")
        lines.append("    },\n")
    lines.append("}\n")
    return "".join(lines)


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def main() -> None:
    """Write the table next to this module."""
    TABLE_FILE.write_text(render(build()), encoding="utf-8")


if __name__ == "__main__":
    main()
