"""Pure keyword parsing: text in, a frozen Parsed out. No Flask, no database."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz, process

from service.messaging import crisis as crisis_words
from service.messaging.vocabulary import COMMANDS, LANGUAGE_NAMES, SPEAK_UP

# Letters that Unicode does not decompose into a base letter and an accent.
_NO_DECOMPOSITION = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "ı": "i"}
)
# Marks that are part of a letter in Indic and Arabic scripts and must never be stripped.
_STRIP_CATEGORIES = {"Mn"}
_LATIN_RANGE = range(0x0000, 0x0250)


def fold(text: str) -> str:
    """Upper-case, accent-free, single-spaced form of text, so DOŁĄCZ matches dolacz."""
    # The table again after NFKD: Ǿ decomposes to Ø and an accent, and Ø must become O too.
    text = unicodedata.normalize("NFKD", text.translate(_NO_DECOMPOSITION))
    text = text.translate(_NO_DECOMPOSITION)
    kept = []
    previous_latin = False
    for char in text:
        if unicodedata.category(char) in _STRIP_CATEGORIES and previous_latin:
            # Only accents on Latin letters are dropped: a Gurmukhi vowel sign is a letter.
            continue
        previous_latin = ord(char) in _LATIN_RANGE and char.isalpha()
        kept.append(char)
    folded = unicodedata.normalize("NFC", "".join(kept)).upper()
    return " ".join(folded.split())


# Words Twilio acts on by itself, exactly and alone; the service must agree with it.
OPT_OUT_WORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
)
OPT_IN_WORDS = frozenset({"START", "UNSTOP"})  # and YES, which is also our confirmation word


def tokens(folded: str) -> list[str]:
    """The words of folded text: letters, digits and script marks; punctuation separates."""
    # WHAT'S and WHATS are the same word; a command keeps ʼ (a modifier letter) as a letter.
    return crisis_words.words(folded, apostrophes="'’`")


def _digits(word: str) -> str | None:
    """A word of at most 4 decimal digits in any script (4821, ۴۸۲۱, ੪੮੨੧), as ASCII; else None.

    Only Unicode's decimal digits (category Nd) count: str.isdigit() also accepts Ethiopic or
    superscript digits, which int() refuses. No list is ever longer than a few dozen items, and
    a one-off reply number has exactly 4 digits.
    """
    if not word or len(word) > 4 or any(unicodedata.category(c) != "Nd" for c in word):
        return None
    return "".join(str(unicodedata.decimal(c)) for c in word)


def _is_number(word: str) -> bool:
    """A list position or reply number someone typed, in any script's digits."""
    return _digits(word) is not None


def _number(word: str) -> int:
    return int(_digits(word) or "0")


# Commands whose argument may name a network.
NETWORK_COMMANDS = frozenset({"join", "leave", "events", "call_me"})
# Words that join two network names in JOIN CARERS AND MINDS, folded, in every language ("&"
# and "," are not words and separate names already).
CONNECTORS = frozenset({"AND", "PLUS", "ALSO", "I", "ORAZ", "SI", "AUR", "اور", "ATE", "TE"})
CONNECTORS |= frozenset({"ਅਤੇ", "ਤੇ", "ANE", "અને", "IYO", "IYOO", "AH"})
# A "Reply YES 4821" question's one-off number has 4 digits; YES and a shorter number is a list
# position (YES 2 is GOING 2), as no list is ever that long.
REPLY_NUMBER_MIN = 1000
# Typo tolerance: only words this long are guessed at, and only this similar (0-100).
FUZZY_MIN_LENGTH = 4
FUZZY_CUTOFF = 75


@dataclass(frozen=True)
class Parsed:
    """What a text asks for, in channel-neutral terms."""

    kind: str
    network: str | None = None  # the folded keyword of the network named
    number: int | None = None  # a position in the last numbered list, or YES's reply number
    language: str | None = None  # the language asked for, by code
    said_in: str | None = None  # the language of the command word used
    everything: bool = False  # LEAVE ALL, EVENTS ALL
    guessed: bool = False  # matched only by typo tolerance: confirm before acting
    crisis: bool = False  # the text says its writer may be at risk (kind "crisis")
    crisis_language: str | None = None  # the language the crisis words are written in
    unknown_argument: str = ""  # words after a command that matched nothing
    also: tuple[str, ...] = ()  # more networks named after the first: JOIN CARERS AND MINDS

    @property
    def canonical(self) -> str:
        """The command as the service spells it in English, e.g. "JOIN CARERS"."""
        words = [COMMANDS[self.kind]["en"][0]] if self.kind in COMMANDS else []
        if self.kind == "language" and self.language:
            return LANGUAGE_NAMES[self.language][0]
        if self.kind == "about" and self.network:
            return self.network
        if self.everything:
            words.append(COMMANDS["all"]["en"][0])
        if self.network:
            words.append(self.network)
        words.extend(self.also)
        if self.number is not None:
            words.append(str(self.number))
        return " ".join(words)


def keyboard_forms(words: Sequence[str]) -> tuple[str, ...]:
    """Folded words with keyboard variants as one form: شكايت is شکایت, ਸਿਕਾਇਤ is ਸ਼ਿਕਾਇਤ.

    Command and speak-up words are looked up in this form as well as as typed; a network's
    keyword is matched only as typed (it is stored folded, without this step).
    """
    return tuple(crisis_words.keyboard_form(word) for word in words)


@cache
def _phrases() -> dict[tuple[str, ...], tuple[str, str | None]]:
    table: dict[tuple[str, ...], tuple[str, str | None]] = {}
    for command, by_language in COMMANDS.items():
        for language, words in by_language.items():
            for word in words:
                key = tuple(tokens(fold(word)))
                known = table.get(key)
                # A word shared by two languages (HAAN in Urdu and Punjabi) says nothing about
                # which one the texter speaks.
                table[key] = (command, language if known is None else None)
    return table


@cache
def _phrases_by_keyboard_form() -> dict[tuple[str, ...], tuple[str, str | None]]:
    table: dict[tuple[str, ...], tuple[str, str | None]] = {}
    for key, meaning in _phrases().items():
        table.setdefault(keyboard_forms(key), meaning)
    return table


def _phrase(words: Sequence[str]) -> tuple[str, str | None] | None:
    """The command (and its language) a phrase of folded words is, as typed or as a variant."""
    key = tuple(words)
    found = _phrases().get(key)
    return found if found is not None else _phrases_by_keyboard_form().get(keyboard_forms(key))


@cache
def _language_names() -> dict[str, str]:
    return {
        " ".join(tokens(fold(name))): code
        for code, names in LANGUAGE_NAMES.items()
        for name in names
    }


@cache
def _single_words() -> dict[str, tuple[str, str | None]]:
    # Candidates for typo tolerance: one-word commands long enough to guess at.
    return {
        phrase[0]: meaning
        for phrase, meaning in _phrases().items()
        if len(phrase) == 1 and len(phrase[0]) >= FUZZY_MIN_LENGTH and meaning[0] != "all"
    }


def is_crisis(text: str) -> bool:
    """True when text says, in any of the seven languages, that its writer may be at risk."""
    return crisis_words.detect(text) is not None


def reserved_words() -> frozenset[str]:
    """Words no network keyword may be: every word of every command, and every language name.

    Every word, not only one-word commands: after JOIN, SHAMIL HO is read as the phrase
    "join", so a network keyword HO could never be joined.
    """
    words = {word for phrase in _phrases() for word in phrase}
    words.update(word for phrase in _speak_up_phrases() for word in phrase)
    words.update(name for name in _language_names() if " " not in name)
    return frozenset(words | OPT_OUT_WORDS | OPT_IN_WORDS)


def _guess(word: str, choices: Collection[str]) -> str | None:
    if len(word) < FUZZY_MIN_LENGTH or not choices:
        return None
    best = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
    return best[0] if best else None


def _network_argument(
    rest: list[str], network_keywords: Collection[str]
) -> tuple[str | None, bool, str]:
    """(keyword, guessed, unmatched text) for the words after JOIN, LEAVE, EVENTS, CALL ME."""
    if not rest:
        return None, False, ""
    for candidate in (rest[0], "".join(rest)):
        if candidate in network_keywords:
            return candidate, False, ""
    guess = _guess(rest[0], network_keywords)
    if guess is not None:
        return guess, True, ""
    return None, False, " ".join(rest)


def _more_networks(
    first: str, rest: list[str], network_keywords: Collection[str]
) -> tuple[str, ...]:
    """The other networks named after the first (JOIN CARERS AND MINDS): exact keywords only.

    Empty unless every remaining word is a keyword or a connector, so a name of several words
    ("JOIN MENTAL HEALTH") is still read as one.
    """
    found: list[str] = []
    for word in rest:
        if word in CONNECTORS:
            continue
        if word not in network_keywords:
            return ()
        if word != first and word not in found:
            found.append(word)
    return tuple(found)


def parse(text: str, network_keywords: Collection[str]) -> Parsed:
    """Read one inbound text against the command vocabulary and the organisation's keywords."""
    exact = text.strip().upper()
    if exact in OPT_OUT_WORDS:
        return Parsed("opt_out", said_in="en")
    if exact in OPT_IN_WORDS:
        return Parsed("opt_in", said_in="en")
    folded = fold(text)
    found = crisis_words.detect(text)
    if found is not None:
        # Nothing else in the text matters until the writer is safe: see Conversation.answer.
        return Parsed("crisis", crisis=True, crisis_language=found.language)
    words = tokens(folded)
    if not words:
        return Parsed("empty")
    if len(words) == 1 and _is_number(words[0]):
        return Parsed("pick", number=_number(words[0]))

    command = language_said = None
    rest: list[str] = []
    guessed = False
    for size in (3, 2, 1):
        meaning = _phrase(words[:size]) if len(words) >= size else None
        if meaning is not None:
            (command, language_said), rest = meaning, words[size:]
            break
    if command is None:
        whole = " ".join(words)
        if whole in _language_names():
            return Parsed("language", language=_language_names()[whole])
        if words[0] in network_keywords and len(words) == 1:
            return Parsed("about", network=words[0])
        guess = _guess(words[0], [*_single_words(), *network_keywords])
        if guess is None:
            guess_language = _guess(whole, list(_language_names()))
            if guess_language is not None and len(words) <= 2:
                return Parsed(
                    "language",
                    language=_language_names()[guess_language],
                    guessed=True,
                )
            return Parsed("unknown")
        if guess in network_keywords and guess not in _single_words():
            return Parsed("about", network=guess, guessed=True)
        (command, language_said), rest, guessed = _single_words()[guess], words[1:], True

    return _with_arguments(command, language_said, rest, guessed, network_keywords)


def _with_arguments(
    command: str,
    said_in: str | None,
    rest: list[str],
    guessed: bool,
    network_keywords: Collection[str],
) -> Parsed:
    base = {"said_in": said_in, "guessed": guessed}
    number = _number(rest[0]) if rest and _is_number(rest[0]) else None
    if command == "yes" and number is not None:
        if number >= REPLY_NUMBER_MIN:
            return Parsed("yes", number=number, **base)  # YES 4821: the question's own number
        return Parsed("going", number=number, **base)  # YES 2 is GOING 2
    if command in {"going", "not_going"}:
        return Parsed(command, number=number, **base)
    if command == "language":
        name = " ".join(rest)
        code = _language_names().get(name)
        if code is None and name:
            guess = _guess(name, list(_language_names()))
            code, base["guessed"] = (_language_names()[guess], True) if guess else (None, guessed)
        return Parsed("language", language=code, unknown_argument="" if code else name, **base)
    if command in NETWORK_COMMANDS:
        if rest and (_phrase(rest[:1]) or ("", ""))[0] == "all":
            kind = "leave_all" if command == "leave" else command
            return Parsed(kind, everything=True, **base)
        if number is not None:
            return Parsed(command, number=number, **base)
        if command == "join" and rest and rest[0] in network_keywords:
            also = _more_networks(rest[0], rest[1:], network_keywords)
            if also:
                return Parsed(command, network=rest[0], also=also, **base)
        keyword, network_guessed, unmatched = _network_argument(rest, network_keywords)
        base["guessed"] = guessed or network_guessed
        return Parsed(command, network=keyword, unknown_argument=unmatched, **base)
    return Parsed(command, **base)


# -- speak-up: read before anything else, so nothing about the texter is written first ------

# Typo tolerance for speak-up words: a wrong guess would open a case with somebody's ordinary
# text, so CONCERN, an everyday word a letter from CONCERT, is only ever taken as typed. So are
# ZGŁASZAM, FARYAD and SEMNALARE, other forms of ZGŁOŚ, FARIYAD and SEMNALEZ: guessed at, they
# took Polish OGŁASZAM ("I announce") and Romanian FĂRĂ ("without"), ARAD and SEMĂNARE.
SPEAK_UP_CUTOFF = 80
SPEAK_UP_JOINED_CUTOFF = 85
NEVER_GUESSED = frozenset({"CONCERN", "ZGLASZAM", "FARYAD", "SEMNALARE"})


@dataclass(frozen=True)
class SpeakUpText:
    """A text for speak-up: which kind, and the rest of the text as typed."""

    kind: str  # speakup | case
    rest: str
    guessed: bool = False  # the word was a typo of a speak-up word
    language: str | None = None  # the language of the word, when only one language has it


@cache
def _speak_up_phrases() -> dict[tuple[str, ...], str]:
    return {
        tuple(tokens(fold(word))): kind
        for kind, by_language in SPEAK_UP.items()
        for words in by_language.values()
        for word in words
    }


@cache
def _speak_up_by_keyboard_form() -> dict[tuple[str, ...], str]:
    return {keyboard_forms(key): kind for key, kind in _speak_up_phrases().items()}


@cache
def _speak_up_languages() -> dict[tuple[str, ...], str | None]:
    """Each speak-up phrase's language, by keyboard form; None for a word several languages use.

    English words are None too: replies in Urdu, Punjabi and Gujarati show SPEAKUP and CASE,
    so those say nothing about the texter's language.
    """
    table: dict[tuple[str, ...], str | None] = {}
    for by_language in SPEAK_UP.values():
        for language, words in by_language.items():
            if language == "en":
                continue
            for word in words:
                key = keyboard_forms(tokens(fold(word)))
                table[key] = language if table.get(key, language) == language else None
    return table


def _word_spans(text: str) -> list[tuple[int, int]]:
    """Where each word of text starts and ends, by the same rule as tokens()."""
    spans: list[tuple[int, int]] = []
    start = None
    for index, char in enumerate(text):
        if unicodedata.category(char)[0] in "LMN":
            if start is None:
                start = index
        elif start is not None:
            spans.append((start, index))
            start = None
    if start is not None:
        spans.append((start, len(text)))
    return spans


def speak_up(text: str) -> SpeakUpText | None:
    """The speak-up request a text makes (SPEAKUP, CASE, in any language, typos too), or None."""
    spans = _word_spans(text)[:3]
    words = [fold(text[a:b]) for a, b in spans]
    if not words:
        return None

    def after(size: int) -> str:
        return text[spans[size - 1][1] :].lstrip(" \t\r\n:#,.;!-").rstrip()

    for size in (3, 2, 1):
        if len(words) < size:
            continue
        key = tuple(words[:size])
        kind = _speak_up_phrases().get(key) or _speak_up_by_keyboard_form().get(keyboard_forms(key))
        if kind is not None:
            language = _speak_up_languages().get(keyboard_forms(key))
            return SpeakUpText(kind, after(size), language=language)
    # A member's own command word is never read as a typo of a speak-up word.
    if any(_phrase(words[:size]) is not None for size in (1, 2, 3) if len(words) >= size):
        return None
    singles = {
        p[0]: kind
        for p, kind in _speak_up_phrases().items()
        if len(p) == 1 and p[0] not in NEVER_GUESSED
    }
    raising = [word for word, kind in singles.items() if kind == "speakup"]

    def score(candidate: str, choices: list[str]) -> float:
        if len(candidate) < FUZZY_MIN_LENGTH:
            return 0.0
        best = process.extractOne(candidate, choices, scorer=fuzz.ratio)
        return best[1] if best else 0.0

    alone = score(words[0], raising)
    # SPEEK UP, SPEAK UPP: two words that together are one speak-up word, if closer so.
    joined = score(words[0] + words[1], raising) if len(words) >= 2 else 0.0
    if joined >= SPEAK_UP_JOINED_CUTOFF and joined > alone:
        return SpeakUpText("speakup", after(2), guessed=True)
    if alone >= SPEAK_UP_CUTOFF:
        return SpeakUpText("speakup", after(1), guessed=True)
    # A guessed CASE counts only with a code after it (service.speakup.sms checks).
    if score(words[0], [w for w, kind in singles.items() if kind == "case"]) >= FUZZY_CUTOFF:
        return SpeakUpText("case", after(1), guessed=True)
    return None
