"""Crisis words in any text, in any of the seven languages: text in, a Crisis (or None) out.

Pure: no Flask, no database. SMS, the phone line's speech results and the kiosk's speak-up
text all ask `detect`, so a person says it once and every channel hears it. The phrases are
in `crisis_phrases.py`; the inflected forms of Polish, Romanian and English words come from
the simplemma lemmatiser through `crisis_forms_table.py` (see `crisis_forms.py`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz, process

from service.messaging.crisis_phrases import CRISIS_PHRASES

LEMMATISED = ("pl", "ro", "en")  # languages whose inflections come from the lemmatiser
ROMANISED = ("ur", "pa", "gu")  # languages also typed in Latin letters, spelt loosely
GAP = "…"  # up to two other words between two words of a phrase
GAP_ONE = "…1"
UNLESS = "!"  # a last part "!A|B_C": not when the next words are A, or B then C
# A one-word phrase this long is also found misspelt, at least this similar (0-100).
FUZZY_MIN_LENGTH = 6
FUZZY_CUTOFF = 85
# A word of a lemmatised language this long that is no known form is read as the nearest form
# of a phrase's word, when that form is at least this similar (samobujcze is samobójcze).
FORM_GUESS_MIN_LENGTH = 7
FORM_GUESS_CUTOFF = 88
# Two neighbouring letters typed the wrong way round (wnat, zabjię) in a Latin word this long.
SWAP_MIN_LENGTH = 4

# Letters that Unicode does not decompose into a base letter and an accent.
_LATIN_EXTRA = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "ı": "i"})
# One letter for each thing Urdu typed on an Arabic keyboard (or a phone without ے, ں, ھ)
# can look like: ي ى ے → ی, ك → ک, ه ھ ة ۀ → ہ, ں → ن.
_ARABIC_FORMS = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ے": "ی",
        "ك": "ک",
        "ه": "ہ",
        "ھ": "ہ",
        "ة": "ہ",
        "ۀ": "ہ",
        "ں": "ن",
        "ئ": "ی",
    }
)
# Marks people often leave out: Arabic vowel signs and tatweel, the Gurmukhi nukta and addak
# (ਖ਼ੁਦ, ਖੁਦ; ਹੱਤਿਆ, ਹਤਿਆ), the Gujarati nukta, and the zero-width joiners.
_DROPPED = {chr(c) for c in range(0x064B, 0x0660)} | {
    "\u0670",
    "\u0640",
    "\u0a3c",
    "\u0a71",
    "\u0abc",
    "\u200c",
    "\u200d",
}
# Gurmukhi tippi and bindi, Gujarati candrabindu and anusvara, and long and short i and u in
# both scripts (જવું, જવુ): typed either way.
_NASALS = str.maketrans(
    {
        "\u0a70": "\u0a02",
        "\u0a81": "\u0a82",
        "\u0a40": "\u0a3f",
        "\u0a42": "\u0a41",
        "\u0a08": "\u0a07",
        "\u0a0a": "\u0a09",
        "\u0ac0": "\u0abf",
        "\u0ac2": "\u0ac1",
        "\u0a88": "\u0a87",
        "\u0a8a": "\u0a89",
    }
)
_LATIN_END = 0x0250


def fold(text: str) -> str:
    """Lower-case text with Latin accents gone and keyboard variants folded to one form."""
    text = unicodedata.normalize("NFKD", text.casefold()).translate(_LATIN_EXTRA)
    kept: list[str] = []
    previous_latin = False
    for char in text:
        if char in _DROPPED:
            continue
        if unicodedata.category(char) == "Mn" and previous_latin:
            continue  # an accent on a Latin letter; an Indic vowel sign is a letter
        digit = unicodedata.decimal(char, None)
        if digit is not None:
            char = str(digit)  # ۲, ੨, ૨ and 2 are the same digit
        previous_latin = ord(char) < _LATIN_END and char.isalpha()
        kept.append(char)
    text = unicodedata.normalize("NFC", "".join(kept))
    return text.translate(_ARABIC_FORMS).translate(_NASALS)


def keyboard_form(text: str) -> str:
    """Text with the keyboard variants above folded to one form, and nothing else changed.

    For words already folded another way (service.keywords.fold): Arabic-keyboard Urdu (ك, ي),
    Gurmukhi and Gujarati without the nukta or with either nasal sign read as typed properly.
    """
    text = "".join(char for char in text if char not in _DROPPED)
    return text.translate(_ARABIC_FORMS).translate(_NASALS)


def words(folded: str, *, apostrophes: str = "'’`ʼ") -> list[str]:
    """The words of folded text: letters, marks and digits; anything else separates."""
    out: list[str] = []
    current: list[str] = []
    for char in folded:
        if char in apostrophes:
            continue  # don't and dont, la'aan and laaan are one word
        if unicodedata.category(char)[0] in "LMN":
            current.append(char)
        elif current:
            out.append("".join(current))
            current = []
    if current:
        out.append("".join(current))
    return out


def skeleton(word: str) -> str:
    """A romanised word spelt loosely: khudkushi, khudkushee and khud-kushi agree."""
    # ee is i (jeena, jina); oo is left alone: Somali koodhkaasi is not khudkashi.
    word = word.replace("ee", "i")
    word = word.translate(str.maketrans({"w": "v", "z": "j", "q": "k", "y": "i"}))
    out: list[str] = []
    for char in word:
        if char == "h" and out and out[-1] not in "aeiou":
            continue  # kh, sh, chh, th: the h is often left out
        if out and out[-1] == char:
            continue  # aa, ii, dd
        out.append(char)
    return "".join(out)


@dataclass(frozen=True)
class Crisis:
    """A text that says its writer may be at risk, and the language it says it in."""

    language: str | None  # None when the words are shared by two languages
    phrase: str  # the phrase found, as written in crisis_phrases.py


@dataclass(frozen=True)
class _Slot:
    options: tuple[tuple[str, str], ...]  # (how, folded word): how is word, exact or prefix
    gap: int  # how many other words may come before this one (0 for the first)


@dataclass(frozen=True)
class _Phrase:
    language: str
    text: str
    slots: tuple[_Slot, ...]
    loose: bool  # romanised Urdu, Punjabi or Gujarati: compare skeletons
    # Words that, right after the phrase, make it everyday speech ("point of living WAGE"):
    # each a run of slots, the first of which may have a gap ("!…SIDA": in the next three).
    unless: tuple[tuple[_Slot, ...], ...] = ()


def _is_latin(word: str) -> bool:
    return word.isascii()


def _option(option: str) -> tuple[str, str]:
    how = "word"
    if option.startswith("="):
        how, option = "exact", option[1:]
    if option.endswith("*"):
        how, option = "prefix", option[:-1]
    return how, fold(option)


def _unless(part: str) -> tuple[tuple[_Slot, ...], ...]:
    """The runs of words after which a phrase is not found, from its `!A|B_C` part."""
    runs = []
    for alternative in part.removeprefix(UNLESS).split("|"):
        gap = 2 if alternative.startswith(GAP) else 0
        run = alternative.removeprefix(GAP).split("_")
        runs.append(tuple(_Slot((_option(w),), gap if i == 0 else 0) for i, w in enumerate(run)))
    return tuple(runs)


def _compile(language: str, text: str) -> _Phrase:
    slots: list[_Slot] = []
    unless: tuple[tuple[_Slot, ...], ...] = ()
    gap = 0
    for part in text.split():
        if part.startswith(UNLESS):
            unless = _unless(part)
            continue
        if part in (GAP, GAP_ONE):
            gap = 1 if part == GAP_ONE else 2
            continue
        slots.append(_Slot(tuple(_option(o) for o in part.split("|")), gap))
        gap = 0
    loose = language in ROMANISED and all(_is_latin(o) for s in slots for _, o in s.options)
    if loose:
        slots = [_Slot(tuple((how, skeleton(w)) for how, w in s.options), s.gap) for s in slots]
    return _Phrase(language, text, tuple(slots), loose, unless)


@cache
def _phrases() -> tuple[_Phrase, ...]:
    return tuple(
        _compile(language, text) for language, texts in CRISIS_PHRASES.items() for text in texts
    )


@cache
def _forms() -> dict[str, dict[str, tuple[str, ...]]]:
    # Imported when first needed: crisis_forms.py builds that module and imports this one.
    from service.messaging.crisis_forms_table import FORMS

    return FORMS


@cache
def _forms_like(language: str, first: str, length: int) -> tuple[str, ...]:
    """The forms that begin with this letter and are one letter longer or shorter at most."""
    return tuple(
        form
        for form in _forms().get(language, {})
        if form[:1] == first and abs(len(form) - length) <= 1
    )


def swaps(word: str) -> frozenset[str]:
    """The word with two neighbouring letters swapped back, for a Latin word long enough."""
    if len(word) < SWAP_MIN_LENGTH or not (word.isascii() and word.isalpha()):
        return frozenset()
    return frozenset(
        word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        for at in range(len(word) - 1)
        if word[at] != word[at + 1]
    )


def _lemmas(language: str, folded: str, swapped: frozenset[str]) -> tuple[str, ...]:
    """A word's lemmas among the phrases' words: as written, with a slip undone, or guessed."""
    forms = _forms().get(language, {})
    found = forms.get(folded)
    if found is not None:
        return found
    undone = sorted({lemma for variant in swapped for lemma in forms.get(variant, ())})
    if undone:
        return tuple(undone)
    if len(folded) < FORM_GUESS_MIN_LENGTH or not folded.isascii():
        return ()
    # A misspelt inflection (ó typed as u, a letter dropped): the nearest form, if near.
    # Only forms of about its length with its first letter: a slip rarely starts a word.
    nearby = _forms_like(language, folded[0], len(folded))
    best = process.extractOne(folded, nearby, scorer=fuzz.ratio, score_cutoff=FORM_GUESS_CUTOFF)
    return () if best is None else forms[best[0]]


@dataclass(frozen=True)
class _Word:
    folded: str
    loose: str  # its skeleton, for romanised phrases
    lemmas: dict[str, tuple[str, ...]]  # per lemmatised language
    swapped: frozenset[str]  # the word with one slip of two letters undone


def _word(folded: str) -> _Word:
    swapped = swaps(folded)
    lemmas = {lang: _lemmas(lang, folded, swapped) for lang in LEMMATISED}
    return _Word(folded, skeleton(folded) if _is_latin(folded) else folded, lemmas, swapped)


def _similar(option: str, word: str, prefix: bool) -> bool:
    if len(option) < FUZZY_MIN_LENGTH or len(word) < FUZZY_MIN_LENGTH - 1:
        return False
    candidates = [word, word[: len(option) + 1]] if prefix else [word]
    # A slip adds, drops or changes a letter or two; a much shorter word is another word.
    return any(
        abs(len(c) - len(option)) <= 1 and fuzz.ratio(option, c) >= FUZZY_CUTOFF for c in candidates
    )


def _matches(slot: _Slot, word: _Word, phrase: _Phrase, fuzzy: bool) -> bool:
    text = word.loose if phrase.loose else word.folded
    for how, option in slot.options:
        if how == "prefix" and text.startswith(option):
            return True
        if how != "prefix" and text == option:
            return True
        if how != "prefix" and not phrase.loose and option in word.swapped:
            return True
        if how == "word" and option in word.lemmas.get(phrase.language, ()):
            return True
        if fuzzy and _similar(option, text, how == "prefix"):
            return True
    return False


def _ends(slots: tuple[_Slot, ...], phrase: _Phrase, text: list[_Word], start: int) -> set[int]:
    """Where a run of slots can end when its first slot may follow the word before start."""
    positions = {start - 1}
    for slot in slots:
        following = set()
        for at in positions:
            for index in range(at + 1, min(at + 2 + slot.gap, len(text))):
                if _matches(slot, text[index], phrase, False):
                    following.add(index)
        if not following:
            return set()
        positions = following
    return positions


def _found_at(phrase: _Phrase, text: list[_Word], start: int) -> int:
    """2 when the phrase starts at this word, 1 when only as a misspelling, else 0."""
    first = phrase.slots[0]
    if _matches(first, text[start], phrase, False):
        quality = 2
    elif len(phrase.slots) == 1 and _matches(first, text[start], phrase, True):
        quality = 1  # only a single long word is guessed at
    else:
        return 0
    ends = _ends(phrase.slots[1:], phrase, text, start + 1) if len(phrase.slots) > 1 else {start}
    # Found if it ends somewhere the words after it are not everyday speech.
    kept = [
        end for end in ends if not any(_ends(run, phrase, text, end + 1) for run in phrase.unless)
    ]
    return quality if kept else 0


@dataclass(frozen=True)
class _Starts:
    """Which phrases a word may start, so a text is not tried against all of them at each word.

    Built once per process from the phrases. It only narrows the phrases tried: each one it
    names is still checked by _found_at, so what detect finds is unchanged.
    """

    equal: dict[tuple[bool, str], tuple[int, ...]]  # (loose, option): word and exact options
    lemma: dict[tuple[str, str], tuple[int, ...]]  # (language, option): word options
    prefix: dict[tuple[bool, str], tuple[int, ...]]  # (loose, option): prefix options
    fuzzy: tuple[int, ...]  # one-word phrases long enough to be found misspelt
    longest_prefix: int

    def phrases(self, word: _Word) -> set[int]:
        """The phrases (by position) whose first word this word may be."""
        found: set[int] = set()
        for loose, text in ((False, word.folded), (True, word.loose)):
            found.update(self.equal.get((loose, text), ()))
            if not loose:
                for variant in word.swapped:
                    found.update(self.equal.get((False, variant), ()))
            for end in range(min(len(text), self.longest_prefix) + 1):
                found.update(self.prefix.get((loose, text[:end]), ()))
        for language, lemmas in word.lemmas.items():
            for lemma in lemmas:
                found.update(self.lemma.get((language, lemma), ()))
        if max(len(word.folded), len(word.loose)) >= FUZZY_MIN_LENGTH - 1:
            found.update(self.fuzzy)
        return found


@cache
def _starts() -> _Starts:
    equal: dict[tuple[bool, str], list[int]] = {}
    lemma: dict[tuple[str, str], list[int]] = {}
    prefix: dict[tuple[bool, str], list[int]] = {}
    fuzzy: list[int] = []
    for position, phrase in enumerate(_phrases()):
        first = phrase.slots[0]
        for how, option in first.options:
            if how == "prefix":
                prefix.setdefault((phrase.loose, option), []).append(position)
                continue
            equal.setdefault((phrase.loose, option), []).append(position)
            if how == "word":
                lemma.setdefault((phrase.language, option), []).append(position)
        if len(phrase.slots) == 1 and any(len(o) >= FUZZY_MIN_LENGTH for _, o in first.options):
            fuzzy.append(position)
    return _Starts(
        equal={k: tuple(v) for k, v in equal.items()},
        lemma={k: tuple(v) for k, v in lemma.items()},
        prefix={k: tuple(v) for k, v in prefix.items()},
        fuzzy=tuple(fuzzy),
        longest_prefix=max((len(option) for _, option in prefix), default=0),
    )


def detect(text: str) -> Crisis | None:
    """The crisis phrase in a text, if any, and the language it is in (None when unsure)."""
    text_words = [_word(w) for w in words(fold(text))]
    phrases = _phrases()
    starts = _starts()
    found: dict[int, tuple[int, int]] = {}
    for start, word in enumerate(text_words):
        for position in starts.phrases(word):
            phrase = phrases[position]
            quality = _found_at(phrase, text_words, start)
            if quality and quality > found.get(position, (0, 0))[1]:
                found[position] = (len(phrase.slots), quality)
    if not found:
        return None
    # The longest phrase, spelt right, says most about the language; a tie says nothing. In
    # the phrases' own order, so the phrase named is the same whichever word was read first.
    best_rank = max(found.values())
    best = [phrases[p] for p in sorted(found) if found[p] == best_rank]
    languages = {phrase.language for phrase in best}
    return Crisis(language=best[0].language if len(languages) == 1 else None, phrase=best[0].text)
