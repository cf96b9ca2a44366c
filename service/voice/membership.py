"""Groups on the phone line: hearing about them, joining, and the caller's own groups.

Caller ID is not identity. Anything that reads or changes the number's memberships waits for a
code texted to the number and keyed in on the call (service/voice/verify.py); a join is
confirmed by replying to a text. Until then the caller hears exactly what a stranger hears.
"""

from __future__ import annotations

import dataclasses

from flask_babel import gettext as _

from service.contacts import operations as contacts
from service.content import queries
from service.formatting import when
from service.verification import caller as checks
from service.verification.actions import Target
from service.voice.engine import (
    CHANNEL,
    WEEK,
    CallState,
    LineBase,
)
from service.voice.flows import Node


class MembershipActions(LineBase):
    """Flow actions about groups: list, describe, join; the caller's own, and leaving."""

    # -- every group -----------------------------------------------------------------------------

    def _do_list_networks(self, state: CallState, node: Node) -> CallState | str:
        return self._read_groups(
            self._networks(state.lang), _("There are no groups yet."), state, node
        )

    def _read_groups(
        self, networks: list[queries.NetworkView], none: str, state: CallState, node: Node
    ) -> CallState | str:
        """Read up to nine groups out, numbered, for a key to pick one; else say `none`."""
        networks = networks[:9]
        if not networks:
            self.say(none, state.lang)
            return node.back or self.flow.start
        numbered = _("%(number)d: %(name)s.")  # looked up once for the whole list
        for n, network in enumerate(networks, start=1):
            self.say(numbered % {"number": n, "name": self._name(network)}, state.lang)
        return dataclasses.replace(state, items=tuple(n.id for n in networks))

    def _do_describe_network(self, state: CallState, node: Node) -> CallState | str:
        network = self._picked_network(state)
        if network is None:
            return node.back or self.flow.start
        text = f"{self._name(network)}. {network.short_description}"
        upcoming = queries.upcoming_occurrences(
            self.session,
            self.org.id,
            start=self.now,
            end=self.now + 3 * WEEK,
            language=state.lang,
            network_ids=[network.id],
            limit=1,
        )
        if upcoming:
            text += " " + _("Next: %(when)s.", when=when(upcoming[0].local_start, state.lang))
        self.say(text, state.lang)
        return state

    # -- joining: confirmed by replying to a text ------------------------------------------------

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

    # -- their groups ----------------------------------------------------------------------------

    def _my_networks(self, lang: str) -> list[queries.NetworkView]:
        if self.member is None:
            return []
        mine = set(contacts.member_network_ids(self.session, self.member))
        return [n for n in self._networks(lang) if n.id in mine]

    def _do_list_my_groups(self, state: CallState, node: Node) -> CallState | str:
        if self.member is None:
            return self._verify_node()
        mine = self._my_networks(state.lang)
        return self._read_groups(mine, _("You are not in any groups."), state, node)

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
