"""The words a respondent texts or says inside a survey: SKIP, BACK, LATER, in every language.

Apart from the command vocabulary (service.messaging.vocabulary): these mean something only
while a survey is being answered, so they never take a word from the rest of the service.
English always works; a language whose script phones may not type is shown the English word.
"""

from __future__ import annotations

from functools import cache

from service.keywords import fold
from service.languages import TYPEABLE
from service.messaging.vocabulary import COMMANDS

SURVEY_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "skip": {
        "en": ("SKIP", "PASS", "NEXT"),
        "pl": ("POMIŃ", "DALEJ"),
        "ro": ("SARI", "SĂRI", "URMĂTOAREA"),
        "ur": ("چھوڑیں", "اگلا", "CHHOREN", "AGLA"),
        "pa": ("ਛੱਡੋ", "ਅਗਲਾ", "CHHADO", "AGLA"),
        "gu": ("છોડો", "આગળ", "CHHODO", "AAGAL"),
        "so": ("KA BOOD", "XIGA"),
    },
    "back": {
        "en": ("BACK", "PREVIOUS"),
        "pl": ("WSTECZ", "COFNIJ"),
        "ro": ("ÎNAPOI",),
        "ur": ("پیچھے", "واپس", "PEECHE", "WAPAS"),
        "pa": ("ਪਿੱਛੇ", "ਵਾਪਸ", "PICHHE", "WAPAS"),
        "gu": ("પાછળ", "પાછા", "PACHHAL", "PACHHA"),
        "so": ("DIB", "GADAAL"),
    },
    "later": {
        "en": ("LATER", "PAUSE"),
        "pl": ("PÓŹNIEJ",),
        "ro": ("MAI TÂRZIU", "TÂRZIU"),
        "ur": ("بعد میں", "BAAD MEIN", "BAAD MAIN"),
        "pa": ("ਬਾਅਦ ਵਿੱਚ", "BAAD VICH"),
        "gu": ("પછી", "PACHHI"),
        "so": ("DAMBE", "MAR DAMBE"),
    },
}


# Every text in a survey, and nearly every SMS, asks these: folded once per process.
@cache
def _folded(kind: str, language: str, *, survey: bool) -> frozenset[str]:
    table = SURVEY_WORDS if survey else COMMANDS
    words = table[kind].get("en", ()) + table[kind].get(language, ())
    return frozenset(fold(w) for w in words)


def control(text: str, language: str) -> str | None:
    """skip, back or later when the text is one of those words (in English or the language)."""
    folded = fold(text)
    for kind in SURVEY_WORDS:
        if folded in _folded(kind, language, survey=True):
            return kind
    return None


def yes_no(text: str, language: str) -> bool | None:
    """True for a yes word, False for a no word (English or the language), else None."""
    folded = fold(text)
    if folded in _folded("yes", language, survey=False):
        return True
    if folded in _folded("no", language, survey=False):
        return False
    return None


def shown(kind: str, language: str) -> str:
    """The word to show: the language's first where phones type it, else the English one."""
    by_language = SURVEY_WORDS[kind] if kind in SURVEY_WORDS else COMMANDS[kind]
    return by_language[language if language in TYPEABLE else "en"][0]


# "Prefer not to say", as callers say it: on the phone a spoken answer cannot be "0". Matched
# inside what was heard ("I'd rather not say"), in English or the caller's language.
SPOKEN_PREFER_NOT: dict[str, tuple[str, ...]] = {
    "en": ("PREFER NOT", "RATHER NOT", "NOT SAY"),
    "pl": ("WOLĘ NIE", "WOLAŁBYM NIE", "WOLAŁABYM NIE", "NIE CHCĘ MÓWIĆ"),
    "ro": ("PREFER SĂ NU", "NU DORESC", "NU VREAU SĂ SPUN"),
    "ur": ("نہیں بتانا", "بتانا نہیں چاہتا", "بتانا نہیں چاہتی"),
    "pa": ("ਨਹੀਂ ਦੱਸਣਾ", "ਦੱਸਣਾ ਨਹੀਂ ਚਾਹੁੰਦਾ"),
    "gu": ("નથી કહેવું", "કહેવા નથી માંગતો", "કહેવા નથી માંગતી"),
    "so": ("MA RABO INAAN SHEEGO", "MAAN SHEEGAYO"),
}


def prefers_not(heard: str, language: str) -> bool:
    """Whether something said means "prefer not to say" (English or the language)."""
    folded = f" {fold(heard)} "
    phrases = SPOKEN_PREFER_NOT["en"] + SPOKEN_PREFER_NOT.get(language, ())
    return any(f" {fold(p)} " in folded for p in phrases)
