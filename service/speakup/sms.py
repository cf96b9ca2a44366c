"""SPEAKUP and CASE by text: answered in the webhook's own reply, and never tied to a number.

These texts bypass the usual conversation entirely: no contact is created or updated, no
inbound log row is written, nothing goes to the outbox, and nothing is logged. They are
recognised in every language, typos too (service.keywords.speak_up), before anything else
happens. The number is used only for throttling, keyed with the hour's random salt, in rows
deleted on the hour. The text and its replies are deleted at Twilio once answered.
"""

from __future__ import annotations

import datetime as dt
import re

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from service.keywords import SpeakUpText, speak_up
from service.languages import ascii_digits
from service.messaging.replies import fit, truncate
from service.organisations.models import Organisation
from service.speakup import codes
from service.speakup import operations as speakup

_CASE_ALONE = re.compile(r"^\s*CASE\b", re.I)
# A code typed on its own, as it is shown: 7KQ2-M9XD-4HTB-WR3P (spaces or none between groups).
_BARE_CODE = re.compile(r"^\s*[0-9A-Za-z]{4}(?:[\s-]?[0-9A-Za-z]{4}){3}\b")


def split_code(rest: str) -> tuple[str, str]:
    """A typed code (however spaced or hyphenated) and whatever text follows it."""
    taken = 0
    for index, char in enumerate(rest):
        if char.isalnum():
            taken += 1
            if taken == codes.LENGTH:
                return rest[: index + 1], rest[index + 1 :].lstrip(" \t\r\n:,.-").rstrip()
        elif char not in " -":
            break
    return rest, ""


def _has_code(rest: str) -> bool:
    return codes.normalise(split_code(rest)[0]) is not None


def recognise(body: str) -> SpeakUpText | None:
    """What a speak-up text asks for, or None when the text is for the conversation."""
    found = speak_up(body)
    # CARE, CASA, or SPRAWA and CAZ (everyday words in Polish and Romanian) count only with a
    # code after them; CASE alone is answered with how to use it.
    bare_word = found is not None and found.kind == "case" and not _has_code(found.rest)
    if bare_word and (found.guessed or not _CASE_ALONE.match(body)):
        return None
    # ascii_digits: a code typed with Urdu, Gurmukhi or Gujarati digits (۷KQ2-…) is the same code.
    if found is None and _BARE_CODE.match(ascii_digits(body)) and _has_code(body):
        return SpeakUpText("case", body.strip(), guessed=True)
    return found


def is_speak_up(body: str) -> bool:
    """Whether a text is for speak-up (SPEAKUP … or CASE …) rather than the conversation."""
    return recognise(body) is not None


def answer(
    session: Session,
    org: Organisation,
    *,
    message_sid: str,
    sender: str,
    body: str,
    now: dt.datetime,
) -> list[str]:
    """The reply texts to a speak-up text; a retried webhook raises nothing new.

    Answered in the language of the word texted (ZGŁOŚ in Polish, کیس… for Urdu alone), else
    in the organisation's: no contact is looked up, so the member's own language is unknown.
    """
    found = recognise(body)
    language = found.language if found is not None and found.language else None
    with force_locale(language or org.default_language):
        if speakup.seen_before(session, message_sid, now):
            return [_("We already have this message. If no code came back, text SPEAKUP again.")]
        if found is None:
            raise ValueError("not a speak-up text")
        if found.kind == "speakup":
            return _raise(session, org, found.rest.strip(), sender, now)
        return _follow(session, org, found.rest, sender, now)


def guardian_explained() -> str:
    """Who the speak-up guardian is, said once where speak-up starts (the glossary's note)."""
    return _(
        "The speak-up guardian is someone the organisation has chosen to hear concerns in "
        "confidence. They are not your manager."
    )


def anonymity() -> str:
    """What anonymity means here, said plainly."""
    return _(
        "We do not keep your number, and the organisation cannot see who you are. The phone "
        "company and our text message provider still see the number, as with any text."
    )


def _raise(
    session: Session, org: Organisation, text: str, sender: str, now: dt.datetime
) -> list[str]:
    if not text:
        return [
            _(
                "To raise a concern without giving your name, text SPEAKUP and then the concern "
                "in your own words. Only the speak-up guardian reads it."
            ),
            guardian_explained(),
        ]
    try:
        raised = speakup.raise_concern(
            session, org, text=text, channel="sms", sender=sender, now=now
        )
    except speakup.TooManyTries:
        return [_("You have raised several concerns in the last hour. Please try again later.")]
    code = codes.shown(raised.code)
    return [
        _(
            "Thank you. Only the speak-up guardian reads this. Your case code is %(code)s. "
            "Keep it safe: text CASE %(code)s to read replies or add more.",
            code=code,
        ),
        # Speak-up starts here too for whoever texts SPEAKUP and their concern in one go: they
        # never saw the bare SPEAKUP reply, so who reads it is said here, once.
        guardian_explained(),
        anonymity(),
    ]


def _follow(
    session: Session, org: Organisation, rest: str, sender: str, now: dt.datetime
) -> list[str]:
    typed, more = split_code(rest)
    if not typed.strip():
        return [_("Text CASE and your case code, for example CASE 7KQ2-M9XD-4HTB-WR3P.")]
    try:
        case = speakup.open_case(session, org, typed, sender=sender, now=now)
    except speakup.TooManyTries:
        return [_("Too many wrong codes. Please wait a few minutes and try again.")]
    except speakup.WrongCode:
        return [_("That code does not match a case. Check it and try again.")]
    texts = []
    if more:
        speakup.add_worker_message(session, case, more, now)
        texts.append(_("Added to your case. The guardian will read it."))
    replies = speakup.guardian_replies(session, case)
    new = [text for text, unread in replies if unread]
    if new:
        texts.append(
            fit(
                _("Guardian: %(text)s", text=" / ".join(new)),
                lambda: truncate(_("Guardian: %(text)s", text=new[-1])),
            )
        )
    elif replies:
        texts.append(
            truncate(_("No new reply. The guardian's last reply: %(text)s", text=replies[-1][0]))
        )
    elif not more:
        texts.append(_("No reply yet. Text CASE and your code again in a few days."))
    if case.status == "closed":
        texts.append(
            _("The guardian has closed this case. Text CASE, your code and more to reopen it.")
        )
    return texts
