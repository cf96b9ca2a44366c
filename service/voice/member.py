"""The caller's own business on the phone line: proving it is them, their groups, joining.

Caller ID is not identity. Anything that reads or changes the number's memberships waits for a
code texted to the number and keyed in on the call; a join is confirmed by replying to a text.
Until then the caller hears exactly what a stranger hears.
"""

from __future__ import annotations

import dataclasses

from flask_babel import force_locale
from flask_babel import gettext as _
from twilio.twiml.voice_response import VoiceResponse

from service.contacts import operations as contacts
from service.content import queries
from service.verification import caller as checks
from service.verification.actions import Target
from service.voice.engine import CHANNEL, NO_INPUT_TRIES, CallState, LineBase
from service.voice.flows import Node

CODE_DIGITS = 6


class MemberActions(LineBase):
    """Flow actions that concern the caller as a member: each checks who is calling first."""

    def _verify_node(self) -> str:
        return next(n.name for n in self.flow.nodes.values() if n.action == "verify_caller")

    # -- proving it is them -------------------------------------------------------------------

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
        self._member_known = False
        member = self.member
        if member is not None:
            # Choosing a language on the call is stored only once the caller proved it is them.
            contacts.set_language(self.session, member, state.lang)
        return self.enter(CallState(node=node.next or self.flow.start, lang=state.lang))

    # -- their groups -------------------------------------------------------------------------

    def _my_networks(self, lang: str) -> list[queries.NetworkView]:
        if self.member is None:
            return []
        mine = set(contacts.member_network_ids(self.session, self.member))
        return [n for n in self._networks(lang) if n.id in mine]

    def _do_list_my_groups(self, state: CallState, node: Node) -> CallState | str:
        if self.member is None:
            return self._verify_node()
        networks = self._my_networks(state.lang)[:9]
        if not networks:
            self.say(_("You are not in any groups."), state.lang)
            return node.back or self.flow.start
        for n, network in enumerate(networks, start=1):
            self.say(_("%(number)d: %(name)s.", number=n, name=self._name(network)), state.lang)
        return dataclasses.replace(state, items=tuple(n.id for n in networks))

    def _my_pick(self, state: CallState) -> queries.NetworkView | None:
        return next((n for n in self._my_networks(state.lang) if n.id == state.item), None)

    def _do_describe_my_group(self, state: CallState, node: Node) -> CallState | str:
        if self.member is None:
            return self._verify_node()
        network = self._my_pick(state)
        if network is None:
            return node.back or self.flow.start
        self.say(f"{self._name(network)}.", state.lang)
        return state

    def _do_leave_my_group(self, state: CallState, node: Node) -> str:
        if self.member is None:
            return self._verify_node()
        network = self._my_pick(state)
        if network is not None and contacts.leave_network(
            self.session, self.member, network.id, channel=CHANNEL
        ):
            self.say(_("You have left %(name)s.", name=self._name(network)), state.lang)
        return node.next or self.flow.start

    # -- joining: confirmed by replying to a text ---------------------------------------------

    def _do_join_network(self, state: CallState, node: Node) -> CallState | str:
        network = self._picked_network(state)
        if network is None:
            return node.back or self.flow.start
        if not network.sensitive:
            self._ask_by_text(network, state.lang)
            return self.flow.node(node.options[0].goto).next or self.flow.start
        self.say(
            _(
                "Being a member of %(name)s can show something personal about you. We keep "
                "your phone number, encrypted, and that you joined. Only the organisers see "
                "it. You can leave at any time.",
                name=self._name(network),
            ),
            state.lang,
        )
        return state

    def _do_confirm_join(self, state: CallState, node: Node) -> str:
        network = self._picked_network(state)
        if network is not None:
            self._ask_by_text(network, state.lang)
        return node.next or self.flow.start

    def _ask_by_text(self, network: queries.NetworkView, lang: str) -> None:
        """Text the number a question whose reply does the join; nothing is joined till then."""
        outcome = checks.ask_caller_by_text(
            self.session,
            self.org,
            self.caller,
            Target("join", network_id=network.id, consent=network.sensitive),
            language=lang,
            countries=self.countries(),
            now=self.now,
        )
        if outcome == checks.TOO_MANY:
            self.say(self._too_many_texts(), lang)
        elif outcome == checks.CANNOT_TEXT:
            self.say(self._cannot_text(), lang)
        else:
            # Never the reply number: whoever is on the line must not be able to answer it.
            self.say(
                _(
                    "We have sent a text to the phone you are calling from. To join, reply to "
                    "it as it says."
                ),
                lang,
            )

    def _too_many_texts(self) -> str:
        return _("We cannot send another text to this phone just now. Please try again later.")

    def _cannot_text(self) -> str:
        return _("Sorry, we cannot send texts to the phone you are calling from.")
