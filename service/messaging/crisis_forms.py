"""Build crisis_forms.json: the inflected forms of the crisis phrases' words.

Every form of their Polish, Romanian and English words, from simplemma's dictionaries.
Run `python -m service.messaging.crisis_forms` after changing crisis_phrases.py. The table
is built ahead of time because simplemma's Polish dictionary takes 400 MB and seconds to
load: too much for every web and queue worker. tests/messaging/test_crisis.py checks that
the table is current.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from service.messaging.crisis import FORMS_FILE, GAP, GAP_ONE, LEMMATISED, fold
from service.messaging.crisis_phrases import CRISIS_PHRASES


def lemmas_used(language: str) -> set[str]:
    """The words of a language's phrases whose inflected forms count: all but =exact and prefix*."""
    used = set()
    for phrase in CRISIS_PHRASES[language]:
        for part in phrase.split():
            if part in (GAP, GAP_ONE):
                continue
            for option in part.split("|"):
                if not option.startswith("=") and not option.endswith("*"):
                    used.add(option.lower())
    return used


def _dictionary(language: str) -> Mapping[str, str]:
    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    return DefaultDictionaryFactory(cache_max_size=1).get_dictionary(language)


def build() -> dict[str, dict[str, list[str]]]:
    """Folded form -> folded lemmas, per lemmatised language, for the phrases' words only."""
    table: dict[str, dict[str, list[str]]] = {}
    for language in LEMMATISED:
        wanted = lemmas_used(language)
        forms: dict[str, set[str]] = {}
        for form, lemma in _dictionary(language).items():
            if lemma.lower() in wanted:
                forms.setdefault(fold(form), set()).add(fold(lemma))
        table[language] = {form: sorted(lemmas) for form, lemmas in sorted(forms.items())}
    return table


def main() -> None:
    """Write the table next to this module."""
    FORMS_FILE.write_text(
        json.dumps(build(), ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
