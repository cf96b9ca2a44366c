"""Proving it is them: a code texted to the calling number, keyed in on the call.

Who is calling is not known from caller ID (Twilio's `From` can be spoofed): until the code
comes back, the caller is treated exactly as a stranger.
"""

from __future__ import annotations

import dataclasses

from flask_babel import force_locale
from flask_babel import gettext as _
from twilio.twiml.voice_response import VoiceResponse

from service.contacts import operations as contacts
from service.verification import caller as checks
from service.voice.engine import (
    NO_INPUT_TRIES,
    CallState,
    LineBase,
)
from service.voice.flows import Node

CODE_DIGITS = 6


class VerifyActions(LineBase):
    """Flow actions that check the caller holds the number they call from."""

    def _do_verify_caller(self, state: CallState, node: Node) -> CallState | str:
        if self.member is not None:
            return node.next or self.flow.start
        return state  # the menu offers to text a code, the same words for every caller

    def _do_send_caller_code(self, state: CallState, node: Node) -> CallState | str | None:
        outcome = checks.send_caller_code(
            self.session,
            self.org,
            self.caller,
            call_sid=self.call_sid,
            language=state.lang,
            countries=self.countries(),
            now=self.now,
        )
        if outcome == checks.TOO_MANY:
            self.say(self._too_many_texts(), state.lang)
            return node.back or self.flow.start
        if outcome == checks.CANNOT_TEXT:
            self.say(self._cannot_text(), state.lang)
            return node.back or self.flow.start
        self._code_gather(state)
        return None

    def _code_gather(self, state: CallState) -> None:
        base = self.url_for_state(dataclasses.replace(state, tries=0))
        gather = self.response.gather(
            input="dtmf",
            num_digits=CODE_DIGITS,
            finish_on_key="#",
            timeout=10,
            action=base + "&code=1",
            method="POST",
        )
        self._speak_pending(gather)
        self.prompt("code_entry", state.lang, gather)
        self.response.redirect(
            self.url_for_state(dataclasses.replace(state, tries=state.tries + 1))
            + "&code=1&noinput=1",
            method="POST",
        )

    def enter_code(self, state: CallState, digits: str, *, noinput: bool) -> VoiceResponse:
        """The caller keyed in (or did not) the code texted to their phone."""
        node = self.flow.node(state.node)
        with force_locale(state.lang):
            if noinput:
                if state.tries >= NO_INPUT_TRIES:
                    return self.enter(CallState(node=self._goodbye(), lang=state.lang))
                self.say(_("Sorry, we did not hear anything."), state.lang)
                self._code_gather(state)
                return self.response
            if digits in {"0", "*"}:
                return self.enter(CallState(node=node.back or self.flow.start, lang=state.lang))
            outcome = checks.check_caller_code(
                self.session,
                self.org,
                self.caller,
                call_sid=self.call_sid,
                code=digits,
                now=self.now,
            )
            if outcome == checks.WRONG:
                self.say(_("That code is not right. Please try again."), state.lang)
                self._code_gather(dataclasses.replace(state, tries=0))
                return self.response
            if outcome != checks.RIGHT:
                self.say(_("Sorry, that code can no longer be used."), state.lang)
                return self.enter(CallState(node=node.back or self.flow.start, lang=state.lang))
        self.forget_member()
        member = self.member
        if member is not None:
            # Choosing a language on the call is stored only once the caller proved it is them.
            contacts.set_language(self.session, member, state.lang)
        return self.enter(CallState(node=node.next or self.flow.start, lang=state.lang))
