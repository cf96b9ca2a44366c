"""SMS reply texts: one function per answer, each written to fit in two segments in any language.

Callers wrap a whole reply in `flask_babel.force_locale(language)`; every string here is a
gettext message so that `make translations` finds it and all seven catalogs carry it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import ParamSpec

from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from service.content.queries import Occurrence, SupportLineView, support_lines
from service.formatting import phone, when
from service.languages import LANGUAGES, TYPEABLE
from service.messaging.segments import fits
from service.messaging.vocabulary import COMMANDS, SPEAK_UP

MAX_SEGMENTS = 2
# The consent question for a sensitive network is said in full, warning and all, in every
# language: in UCS-2 that takes three segments, and this one message may use them.
CONSENT_SEGMENTS = 3
# A private group's join asked for at a kiosk or on the phone is confirmed by whoever holds the
# phone, who may not be who asked and so may never have seen the warning: that text says who
# asked as well as the whole warning, which in UCS-2 takes a fourth segment.
ASKED_CONSENT_SEGMENTS = 4
# What marks a text cut short: three full stops, not the one-character ellipsis, which is not
# in GSM-7 and would send a Latin-script text as UCS-2, in half as much room.
CUT = "..."


P = ParamSpec("P")


def same_in_each_locale(build: Callable[P, str]) -> Callable[P, str]:
    """build, fitted once per process for each locale and arguments (plain strings only).

    For replies that depend on nothing else: counting segments for each candidate wording
    costs more than the rest of a text's answer, and the catalogs do not change while a
    process runs. Keyed by the locale in force, so a caller's force_locale is respected.
    """
    made: dict[tuple, str] = {}

    @functools.wraps(build)
    def cached(*args: P.args, **kwargs: P.kwargs) -> str:
        key = (str(get_locale()), args, tuple(sorted(kwargs.items())))
        text = made.get(key)
        if text is None:
            if len(made) >= 1024:
                made.clear()  # organisations' names are few; this only bounds a runaway
            text = made[key] = build(*args, **kwargs)
        return text

    return cached


def word(command: str, language: str) -> str:
    """The command word to show a member: their language's first word, else the English one."""
    by_language = COMMANDS[command]
    shown = language if language in TYPEABLE else "en"
    return (by_language.get(shown) or by_language["en"])[0]


def speak_up_word(language: str) -> str:
    """The speak-up word to show: their language's first one where phones type it, else SPEAKUP."""
    # Speak-up words are read before the conversation, so they live apart from COMMANDS.
    return SPEAK_UP["speakup"][language if language in TYPEABLE else "en"][0]


def fit(*candidates: str | Callable[[], str], segments: int = MAX_SEGMENTS) -> str:
    """The first candidate that fits in two segments (or as many as given); else the last, cut."""
    last = ""
    for candidate in candidates:
        last = candidate() if callable(candidate) else candidate
        if fits(last, segments):
            return last
    return truncate(last, segments)


def truncate(text: str, segments: int = MAX_SEGMENTS) -> str:
    """Text shortened at a word boundary, with an ellipsis, until it fits in two segments."""
    if fits(text, segments):
        return text
    words = text.split(" ")
    while len(words) > 1:
        words.pop()
        candidate = " ".join(words).rstrip(",.;:") + CUT
        if fits(candidate, segments):
            return candidate
    while text and not fits(text + CUT, segments):
        text = text[:-1]
    return text + CUT


def fit_list(header: str, lines: Iterable[str], footer: str) -> tuple[str, int, bool]:
    """A list with as many lines as fit: the text, lines shown, and whether lines were left."""
    shown: list[str] = []
    best = ""
    # Lines only ever add length, so grow the list until the next line would not fit; lines
    # are produced lazily, so nothing is formatted that cannot be shown.
    for line in lines:
        text = "\n".join([header, *shown, line, footer])
        if not fits(text, MAX_SEGMENTS):
            if shown:
                return best, len(shown), True
            return truncate(text), 1, True
        shown.append(line)
        best = text
    return best or truncate("\n".join([header, footer])), len(shown), False


def language_choices(*, besides: str | None = None) -> str:
    """Every language named in its own script, for people who cannot read this one."""
    return " ".join(
        lang.own_name.upper() if lang.code in TYPEABLE else lang.own_name
        for lang in LANGUAGES
        if lang.code != besides
    )


@same_in_each_locale
def welcome(org_name: str, language: str) -> str:
    """The one-time greeting for a first-time texter, with the language hint."""
    others = language_choices(besides=language)
    help_word = word("help", language)
    return fit(
        _(
            "Welcome to %(org)s staff texts. Text %(help)s for options.",
            org=org_name,
            help=help_word,
        )
        + " "
        + others,
        _("Welcome! Text %(help)s for options.", help=help_word) + " " + others,
    )


def crisis_in(session: Session, organisation_id: int, language: str) -> str:
    """The crisis reply in a language, with the organisation's crisis line: on any channel."""
    lines = support_lines(session, organisation_id, language)
    with force_locale(language):
        return crisis(next((line for line in lines if line.crisis), None))


def crisis(line: SupportLineView | None) -> str:
    """What a text in crisis gets, alone: 999, and the crisis line when there is one."""
    if line is None:
        return _("If you are in danger now, call 999. You are not alone.")
    return fit(
        _(
            "If you are in danger now, call 999. %(name)s: %(phone)s, free, any time. "
            "You are not alone.",
            name=line.name,
            phone=phone(line.phone),
        ),
        _("In danger now? Call 999."),
    )


@same_in_each_locale
def help_text(language: str) -> str:
    """What you can text, other languages and speak-up included."""
    commands = ("networks", "events", "talk", "join", "call_me", "help", "language")
    w = {c: word(c, language) for c in commands}
    w["speakup"] = speak_up_word(language)
    return fit(
        _(
            "Text %(networks)s to see the groups, %(events)s for what's on, %(talk)s for support, "
            "%(join)s and a group's name to join, %(call_me)s for a call back, %(speakup)s to "
            "raise a concern in confidence, %(language)s for another language. STOP ends texts.",
            **w,
        ),
        _(
            "Text %(networks)s, %(events)s, %(talk)s or %(call_me)s. %(speakup)s: raise a "
            "concern in confidence. %(language)s: other languages. STOP ends texts.",
            **w,
        ),
        _(
            "%(networks)s, %(events)s, %(talk)s, %(call_me)s. %(speakup)s: a concern. "
            "%(language)s: languages. STOP ends.",
            **w,
        ),
    )


@same_in_each_locale
def not_understood(language: str) -> str:
    """The answer to anything the service cannot read: friendly, with what to text."""
    w = {c: word(c, language) for c in ("networks", "events", "talk", "help")}
    return fit(
        _(
            "Sorry, I did not understand that. Text %(networks)s to see the groups, %(events)s for "
            "what's on, %(talk)s for support or %(help)s for more.",
            **w,
        ),
        _("Sorry, I did not understand. Text %(help)s.", **w),
    )


def did_you_mean(canonical: str, yes: str) -> str:
    """A typo-tolerant guess, to confirm before acting on it; yes is "YES 4821"."""
    return _("Did you mean %(command)s? Reply %(yes)s.", command=canonical, yes=yes)


def nothing_to_confirm(language: str) -> str:
    """YES with no question open."""
    return _("Thanks! Text %(help)s to see what you can do.", help=word("help", language))


def wrong_reply_number(language: str) -> str:
    """YES with a number that no open question showed: nothing is done."""
    return fit(
        _(
            "That number does not match a question we asked you, so nothing has changed. "
            "Text %(help)s to see what you can do.",
            help=word("help", language),
        )
    )


def reply_with_number(language: str) -> str:
    """A bare YES while only a question asked elsewhere (at a kiosk) waits: it needs the number."""
    return fit(
        _(
            "To confirm what you asked for, reply %(yes)s and the number in our text. "
            "Nothing has changed yet.",
            yes=word("yes", language),
        )
    )


def cancelled() -> str:
    """NO to an open question."""
    return _("OK, nothing has changed.")


def pick_without_list(language: str) -> str:
    """A bare number when the last reply was not a list."""
    return _(
        "Text %(networks)s or %(events)s first, then reply with a number.",
        networks=word("networks", language),
        events=word("events", language),
    )


def no_such_number(number: int, language: str) -> str:
    """A number that is not on the last list."""
    return _(
        "There is no number %(number)d on the last list. Text %(networks)s or %(events)s "
        "to see it again.",
        number=number,
        networks=word("networks", language),
        events=word("events", language),
    )


def when_short(moment, language: str) -> str:
    """A compact local date and time for lists: 'Fri 4 Dec 12:30'."""
    return when(moment, language, style="EEE d MMM HH:mm")


def support_line(name: str, number: str, hours: str) -> str:
    """One support line: name, number, hours."""
    return f"{name} {phone(number)}" + (f" ({hours})" if hours else "")


def dial_in(occurrence: Occurrence) -> str:
    """How to join by phone, or nothing when the occurrence has no dial-in."""
    if not occurrence.dial_in_number:
        return ""
    number = phone(occurrence.dial_in_number)
    if occurrence.dial_in_pin:
        return _("By phone: %(number)s, PIN %(pin)s.", number=number, pin=occurrence.dial_in_pin)
    return _("By phone: %(number)s.", number=number)


def where(occurrence: Occurrence) -> str:
    """Place and site together ("Room 2, Civic Hall"), the site said once when the place has it."""
    place, site = occurrence.place.strip(), occurrence.site_name.strip()
    if not site or site.casefold() in place.casefold():
        return place
    for comma in (", ", "، "):  # the Latin comma, and Urdu's
        head, _comma, last = place.rpartition(comma)
        if head and site.casefold().startswith(last.casefold()):
            # "Garden room, Willow Court" at "Willow Court Care Home": the site's full name once.
            return f"{head}{comma}{site}"
    return f"{place}, {site}" if place else site


def event_details(occurrence: Occurrence, number: int, language: str) -> str:
    """One event in a text: title, when, where, how to dial in, how to say you will go.

    The console's SMS preview calls this too, so leads see the text members get.
    """
    head = f"{occurrence.title}, {when_short(occurrence.local_start, language)}"
    place = where(occurrence)
    dial = dial_in(occurrence)
    going = _("Reply %(going)s %(n)d to go.", going=word("going", language), n=number)
    return fit(
        " ".join(p for p in (head + ".", place + "." if place else "", dial, going) if p),
        " ".join(p for p in (head + ".", place + "." if place else "", going) if p),
        " ".join(p for p in (head + ".", dial, going) if p),
        " ".join((head + ".", going)),
    )


def network_about(
    name: str, description: str, following: Occurrence | None, join: str, language: str
) -> str:
    """A network in a text: its name and description, its next meeting, how to join."""
    next_part = (
        _("Next: %(when)s.", when=when_short(following.local_start, language)) if following else ""
    )
    how = _("Text %(join)s to join.", join=join)
    first = f"{name}: {description}" if description else f"{name}."
    return fit(
        " ".join(p for p in (first, next_part, how) if p),
        " ".join(p for p in (name + ".", next_part, how) if p),
    )
