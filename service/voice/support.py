"""Reaching people by phone: support lines, a message for organisers, a speak-up concern."""

from __future__ import annotations

import dataclasses

from flask_babel import gettext as _

from service.callbacks.operations import GOOD_TIMES
from service.contacts import operations as contacts
from service.content import queries
from service.formatting import phone
from service.reach.operations import count_reach
from service.voice.engine import (
    CHANNEL,
    SPEAKUP_MAX_SECONDS,
    CallState,
    LineBase,
)
from service.voice.flows import Node


class SupportActions(LineBase):
    """Flow actions that put the caller through, or record what they say."""

    def _known_site(self) -> int | None:
        # Reach is counted by site when the number is known; nothing is created to find out.
        contact = contacts.find_contact(self.session, self.org.id, self.caller)
        return contact.site_id if contact is not None else None

    def _do_list_support(self, state: CallState, node: Node) -> CallState | str:
        lines = queries.support_lines(self.session, self.org.id, state.lang)[:9]
        self.say(_("If you are in danger now, hang up and call 999."), state.lang)
        for n, line in enumerate(lines, start=1):
            hours = _("Open 24 hours, every day") if line.always_open else line.hours
            self.say(
                _(
                    "%(number)d: %(name)s.",
                    number=n,
                    name=f"{line.name}, {phone(line.phone)}. {hours}",
                ),
                state.lang,
            )
        return dataclasses.replace(state, items=tuple(line.id for line in lines))

    def _do_connect_support(self, state: CallState, node: Node) -> None:
        line = next(
            (
                s
                for s in queries.support_lines(self.session, self.org.id, state.lang)
                if s.id == state.item
            ),
            None,
        )
        if line is None:
            self.enter(CallState(node=node.back or self.flow.start, lang=state.lang))
            return None
        # A support request is someone asking us for support: on the phone, choosing a line to
        # be put through to (hearing the list is a step on the way; TALK is the SMS twin).
        # Twilio retries a webhook only when it could not connect (its default retry policy),
        # so a retry means the first try never ran here: each connection counts once.
        count_reach(
            self.session,
            self.org.id,
            measure="support",
            channel=CHANNEL,
            site_id=self._known_site(),
            at=self.now,
        )
        caller_id = next((n.e164 for n in self.org.numbers if n.voice), None)
        self.say(_("Connecting you now."), state.lang)
        self._flush().dial(line.phone, caller_id=caller_id)
        return None

    def _do_ask_good_time(self, state: CallState, node: Node) -> CallState:
        # A voicemail is a call-back request: first when a call suits them, by key (1 to 4).
        # The pick carries the group (when left from a group's menu) with the time chosen.
        network = state.item if isinstance(state.item, int) else None
        return dataclasses.replace(state, items=tuple((network, t) for t in GOOD_TIMES))

    def _do_record_message(self, state: CallState, node: Node) -> None:
        # The voicemail's callback finds the caller through this call's row: made here.
        self.caller_contact()
        self.prompt(node.prompt or "message_intro", state.lang, self._flush())
        after = CallState(node=node.next or self.flow.start, lang=state.lang)
        self.response.record(
            max_length=120,
            play_beep=True,
            finish_on_key="1234567890*#",
            action=self.url_for_state(after) + "&recorded=1",
            method="POST",
            recording_status_callback=self.recording_url(state),
            recording_status_callback_method="POST",
        )
        # Twilio does not call the action when the recording is empty either.
        self.response.redirect(self.url_for_state(after), method="POST")
        return None

    def _do_record_concern(self, state: CallState, node: Node) -> None:
        """Record a concern for the speak-up guardian; the action answer reads its code out."""
        self.prompt(node.prompt or "speakup_record", state.lang, self._flush())
        self.response.record(
            max_length=SPEAKUP_MAX_SECONDS,
            # A worker may stop to think: only this much silence ends the message.
            timeout=10,
            play_beep=True,
            finish_on_key="#",
            action=self.url_for_concern(state),
            method="POST",
            # No recordingStatusCallback: the action already brings the recording's URL, and
            # the callback handler for voicemails ties a recording to the caller's call.
        )
        # Twilio does not call the action for an empty recording: back to the explanation.
        again = CallState(node=node.back or self.flow.start, lang=state.lang, tries=1)
        self.response.redirect(self.url_for_state(again) + "&noinput=1", method="POST")
        return None
