"""The line's own menus: the welcome, choosing a language, the news, goodbye."""

from __future__ import annotations

import dataclasses

from flask_babel import force_locale
from flask_babel import gettext as _
from twilio.twiml.voice_response import VoiceResponse

from service import languages
from service.content import queries
from service.messaging import crisis
from service.voice.engine import (
    NO_INPUT_TRIES,
    CallState,
    LineBase,
)
from service.voice.flows import Node
from service.voice.speaking import voices
from service.voice.welcome import heard_news_today, language_for_speech, language_hints


class MenuActions(LineBase):
    """Flow actions that start and end a call, and choose its language."""

    def start_call(self) -> VoiceResponse:
        """A call starts: a short welcome naming the organisation, then the language menu."""
        with force_locale("en"):
            self.say(_("Welcome to %(organisation)s.", organisation=self.org.name), "en")
        for lang in languages.LANGUAGES[1:]:
            # Each language's own welcome, where the line has a voice for it: a few words that
            # tell a caller their language is coming, before a minute of menu.
            if voices()[lang.code].get("voice"):
                with force_locale(lang.code):
                    self.say(_("Welcome."), lang.code)
        return self.enter(CallState(node=self.flow.start))

    def _do_choose_language(self, state: CallState, node: Node) -> None:
        english = voices()["en"]
        gather = self.response.gather(
            # A language's own name, said aloud, chooses it too: recognised by the English
            # recogniser (the caller has not chosen yet), steered by the names as hints.
            input="dtmf speech" if english.get("speech") else "dtmf",
            num_digits=1,
            timeout=6,
            method="POST",
            action=self.url_for_state(dataclasses.replace(state, tries=0)) + "&choose=1",
            **(
                {"language": english["speech"], "hints": ", ".join(language_hints())}
                if english.get("speech")
                else {}
            ),
        )
        self._speak_pending(gather)
        for digit, lang in enumerate(languages.LANGUAGES, start=1):
            settings = voices()[lang.code] if voices()[lang.code].get("voice") else voices()["en"]
            with force_locale(lang.code if voices()[lang.code].get("voice") else "en"):
                gather.say(
                    _("For %(language)s, press %(digit)d.", language=lang.own_name, digit=digit),
                    voice=settings["voice"],
                    language=settings["language"],
                )
        # Silence comes back to choose_language too: the re-prompt must still be this menu.
        self.response.redirect(
            self.url_for_state(dataclasses.replace(state, tries=state.tries + 1))
            + "&choose=1&noinput=1",
            method="POST",
        )
        return None

    def choose_language(
        self, state: CallState, digits: str, speech: str = "", noinput: bool = False
    ) -> VoiceResponse:
        """The caller picked a language by number or by its name, or said nothing."""
        codes = languages.CODES
        digits, speech = languages.ascii_digits(digits), languages.ascii_digits(speech)
        with force_locale("en"):
            if noinput:
                if state.tries >= NO_INPUT_TRIES:
                    return self.enter(CallState(node=self._goodbye(), lang="en"))
                self.say(_("Sorry, we did not hear anything."), "en")
                return self.enter(state)
            found = None if digits else crisis.detect(speech)
            if found is not None:
                # Before any language is chosen: the crisis line in the language the words were
                # said in ("main marna chahta hoon" heard by English recognition), if the line
                # can speak it, else in English.
                said_in = found.language or "en"
                if not voices()[said_in].get("voice") and not self.config.VOICE_RECORDINGS_URL:
                    said_in = "en"
                return self.enter(CallState(node=self._support(), lang=said_in))
            lang = language_for_speech(speech) if not digits else None
            if lang is None:
                # A spoken number ("2", or ۲ where speech is written in another script) too.
                key = digits[:1] or next((c for c in speech if c in "0123456789"), "")
                if not key.isdigit() or not 1 <= int(key) <= len(codes):
                    self.say(_("That is not an option."), "en")
                    return self.enter(dataclasses.replace(state, tries=0))
                lang = codes[int(key) - 1]
        if not voices()[lang].get("voice") and not self.config.VOICE_RECORDINGS_URL:
            # No voice and no recordings: say so plainly and offer the languages that work.
            with force_locale("en"):
                self.say(
                    _(
                        "Sorry, this line cannot speak %(language)s yet.",
                        language=languages.BY_CODE[lang].english_name,
                    ),
                    "en",
                )
            return self.enter(state)
        # Not stored on the contact: the number calling proves nothing yet (see verify.py).
        node = self.flow.node(state.node)
        return self.enter(CallState(node=node.next or self.flow.start, lang=lang))

    def _do_read_announcements(self, state: CallState, node: Node) -> str:
        news = queries.live_announcements(
            self.session, self.org.id, now=self.now, language=state.lang
        )
        if news and heard_news_today(self.session, self.org, self.caller, self.now):
            return node.next or self.flow.start
        for item in news[:3]:
            if item.audio_url:
                self._flush().play(item.audio_url)
            else:
                self.say(item.body, state.lang)
        return node.next or self.flow.start

    def _do_goodbye(self, state: CallState, node: Node) -> None:
        self.prompt(node.prompt or "goodbye", state.lang, self._flush())
        self.response.hangup()
        return None
