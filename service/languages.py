"""The languages the service speaks, with their own names and writing direction."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    """One supported language."""

    code: str
    english_name: str
    own_name: str
    rtl: bool = False


LANGUAGES: tuple[Language, ...] = (
    Language("en", "English", "English"),
    Language("pl", "Polish", "Polski"),
    Language("ro", "Romanian", "Română"),
    Language("ur", "Urdu", "اردو", rtl=True),
    Language("pa", "Punjabi", "ਪੰਜਾਬੀ"),
    Language("gu", "Gujarati", "ગુજરાતી"),
    Language("so", "Somali", "Soomaali"),
)
BY_CODE = {lang.code: lang for lang in LANGUAGES}
CODES = tuple(BY_CODE)
DEFAULT = "en"
# Languages written in Latin letters: any phone can type their own keywords. Urdu, Punjabi
# and Gujarati keywords work when texted, but are shown in English: many basic phones cannot
# type those scripts, and a Latin word inside right-to-left text reads in a muddled order.
TYPEABLE = frozenset({"en", "pl", "ro", "so"})


def is_supported(code: str) -> bool:
    """True for a language code the service speaks."""
    return code in BY_CODE


def ascii_digits(text: str) -> str:
    """Text with every decimal digit, in any script, written as 0-9: ۲, ੨ and ૨ are all 2.

    Phones, keyboards and speech recognition in Urdu, Punjabi and Gujarati give their own
    digits; everything that reads a number (a menu key, a code, a list position) reads these.
    Only Unicode's decimal digits (category Nd) change: superscripts and other numerals that
    int() refuses stay as they are.
    """
    return "".join(
        str(unicodedata.decimal(c)) if not c.isascii() and unicodedata.category(c) == "Nd" else c
        for c in text
    )
