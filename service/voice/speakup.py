"""Speak up by phone: a recorded concern opens a case, and the caller hears its code twice.

Nothing here reads or writes the caller's contact or the call's row, and the case keeps
nothing about the call: no CallSid, no recording URL or SID, no number, no language. The
recording is copied into the case by a queued task, which then deletes it and the call's
record at Twilio (service.tasks.keep_speakup_recording). The number reaches raise_concern
only for its throttle, keyed with the hour's random salt.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import Say, VoiceResponse

from service.config import Config
from service.organisations.models import Organisation
from service.speakup import operations as speakup
from service.voice.flows import Flow
from service.voice.line import CallState
from service.voice.speaking import Speaker, spoken_language, voices

# The case's text: the guardian listens to the recording in the console.
VOICE_MESSAGE = "(voice message)"
# Retries are recognised by the recording, never by the call: a call's SID could be kept
# with a caller's contact (voice_call) if they also used the line, and would then say who.
RECEIPT_PREFIX = "voice recording "
GROUP = 4  # characters read together, as the code is written: 7KQ2-M9XD-4HTB-WR3P
# Words that tell letters apart on a crackly line; the NATO spelling alphabet, which is the
# same in every language the line speaks. Crockford's alphabet has no I, L, O or U.
SPELLING = {
    "A": "alpha",
    "B": "bravo",
    "C": "charlie",
    "D": "delta",
    "E": "echo",
    "F": "foxtrot",
    "G": "golf",
    "H": "hotel",
    "J": "juliet",
    "K": "kilo",
    "M": "mike",
    "N": "november",
    "P": "papa",
    "Q": "quebec",
    "R": "romeo",
    "S": "sierra",
    "T": "tango",
    "V": "victor",
    "W": "whiskey",
    "X": "x-ray",
    "Y": "yankee",
    "Z": "zulu",
}
_LETTER = "\x00"  # stands in for the letter while the translated sentence is split around it


def spelled(code: str, lang: str) -> list[list[str | tuple[str]]]:
    """The code as it is read out, group by group: text, and (character,) to say as itself."""
    with force_locale(lang):
        groups = []
        for start in range(0, len(code), GROUP):
            parts: list[str | tuple[str]] = []
            for char in code[start : start + GROUP]:
                if char in SPELLING:
                    before, after = _(
                        "%(letter)s, as in %(word)s.", letter=_LETTER, word=SPELLING[char]
                    ).split(_LETTER, 1)
                else:  # a digit is said as a digit
                    before, after = "", "."
                parts += [before, (char,), after + " "]
            groups.append(_joined(parts))
        return groups


def _joined(parts: list[str | tuple[str]]) -> list[str | tuple[str]]:
    """Neighbouring texts as one (TwiML keeps only the last text after an element)."""
    out: list[str | tuple[str]] = []
    for part in parts:
        if isinstance(part, str) and out and isinstance(out[-1], str):
            out[-1] += part
        elif part:
            out.append(part)
    return out


class ConcernAnswer(Speaker):
    """Answers the <Record> action of a speak-up call: the case, its code, how to follow it."""

    def __init__(
        self, session: Session, org: Organisation, flow: Flow, config: Config, *, now: dt.datetime
    ) -> None:
        super().__init__(config)
        self.session, self.org, self.flow, self.now = session, org, flow, now
        # The new voice message, once a case is raised: its audio is still at Twilio.
        self.message_id: int | None = None
        # Refused (too many from this number): the recording is not kept, here or at Twilio.
        self.refused = False

    def answer(self, state: CallState, *, recording_sid: str, sender: str) -> VoiceResponse:
        """Open the case once per recording and read its code; a retry opens nothing new."""
        lang = state.lang
        # Said, not played: in the caller's language where Twilio has its voice, else English.
        with force_locale(spoken_language(lang)):
            if speakup.seen_before(self.session, RECEIPT_PREFIX + recording_sid, self.now):
                # The first answer was lost on the way to Twilio: the code cannot be said again
                # (only its hash is kept), but the concern has reached the guardian.
                self.say(
                    _(
                        "We already have your message, and the guardian will hear it. If you "
                        "did not hear a case code, call again and leave your message again to "
                        "get one."
                    ),
                    lang,
                )
                return self._goodbye(state)
            try:
                raised = speakup.raise_concern(
                    self.session,
                    self.org,
                    text=VOICE_MESSAGE,
                    channel="voice",
                    sender=sender,
                    now=self.now,
                    voice=True,
                )
            except speakup.TooManyTries:
                self.refused = True
                self.say(
                    _("You have left several concerns in the last hour. Please call again later."),
                    lang,
                )
                return self._goodbye(state)
        self.message_id = raised.case.messages[0].id
        response = self._flush()
        self.prompt("speakup_code", lang, response)
        self.read_code(raised.code, lang)
        self.prompt("speakup_code_again", lang, response)
        self.read_code(raised.code, lang)
        self.prompt("speakup_follow", lang, response)
        return self._goodbye(state)

    def read_code(self, code: str, lang: str) -> None:
        """Say the code slowly: each character on its own, letters with a word, groups apart."""
        speech = spoken_language(lang)
        settings = voices()[speech]
        for number, group in enumerate(spelled(code, speech)):
            if number:
                self.response.pause(length=1)
            say = Say(voice=settings["voice"], language=settings["language"])
            slow = say.prosody(rate="slow")
            for part in group:
                if isinstance(part, tuple):
                    slow.say_as(part[0], interpret_as="characters")
                else:
                    slow.append(part)
            self.response.append(say)

    def _goodbye(self, state: CallState) -> VoiceResponse:
        """Where the flow goes after the recording (its goodbye), then hang up."""
        node = self.flow.node(state.node)
        after = self.flow.node(node.next) if node.next else None
        prompt = after.prompt if after is not None and after.prompt else "goodbye"
        self.prompt(prompt, state.lang, self._flush())
        self.response.hangup()
        return self.response
