"""Events on the phone line: this week's, one read out or texted, sessions to dial into."""

from __future__ import annotations

import dataclasses
import datetime as dt

from flask_babel import gettext as _

from service.content import queries
from service.formatting import phone, when
from service.messaging.replies import dial_in, fit
from service.outbox.operations import send_to_contact
from service.verification.operations import MAX_TEXTS_PER_HOUR, texts_this_hour
from service.voice.engine import (
    WEEK,
    CallState,
    LineBase,
)
from service.voice.flows import Node


class EventActions(LineBase):
    """Flow actions about events and sessions happening now."""

    def _occurrences(self, lang: str, start: dt.datetime, end: dt.datetime):
        return queries.upcoming_occurrences(
            self.session, self.org.id, start=start, end=end, language=lang, limit=9
        )

    def _do_list_events(self, state: CallState, node: Node) -> CallState | str:
        # Coming from a group's menu, the group's events; from the main menu, everyone's.
        network_ids = [state.item] if isinstance(state.item, int) else None
        found = queries.upcoming_occurrences(
            self.session,
            self.org.id,
            start=self.now,
            end=self.now + WEEK,
            language=state.lang,
            network_ids=network_ids,
            limit=9,
        )
        if not found:
            self.say(_("Nothing is planned this week."), state.lang)
            return node.back or self.flow.start
        for n, o in enumerate(found, start=1):
            self.say(
                _(
                    "%(number)d: %(name)s.",
                    number=n,
                    name=f"{when(o.local_start, state.lang)}, {o.title}",
                ),
                state.lang,
            )
        return dataclasses.replace(
            state, items=tuple((o.event_id, o.starts_at.isoformat()) for o in found)
        )

    def _picked_occurrence(self, state: CallState) -> queries.Occurrence | None:
        if not state.item:
            return None
        event_id, start = state.item
        moment = dt.datetime.fromisoformat(start)
        found = self._occurrences(state.lang, moment, moment + dt.timedelta(seconds=1))
        return next((o for o in found if o.event_id == event_id), None)

    def _say_event(self, o: queries.Occurrence, lang: str) -> None:
        head = f"{o.title}, {when(o.local_start, lang)}."
        self.say(" ".join(p for p in (head, o.place or o.site_name) if p), lang)
        if o.description:
            # A breath between where it is and what it is: read on, the two run together.
            self.pause()
            self.say(o.description, lang)
        if o.dial_in_number:
            self.say(_("By phone: %(number)s.", number=phone(o.dial_in_number)), lang)
            if o.dial_in_pin:
                # Digit by digit, so 4321 is not read as four thousand three hundred...
                self.say(_("The PIN is %(pin)s.", pin=" ".join(o.dial_in_pin)), lang)

    def _do_describe_event(self, state: CallState, node: Node) -> CallState | str:
        occurrence = self._picked_occurrence(state)
        if occurrence is None:
            return node.back or self.flow.start
        if occurrence.audio_url:
            # The organiser recorded it in their own voice: play that instead of the text.
            self._flush().play(occurrence.audio_url)
        else:
            self._say_event(occurrence, state.lang)
        return state

    def _do_text_event(self, state: CallState, node: Node) -> str:
        occurrence = self._picked_occurrence(state)
        if occurrence is None:
            return node.next or self.flow.start
        contact = self.caller_contact()
        if texts_this_hour(self.session, contact, self.now) >= MAX_TEXTS_PER_HOUR:
            # Any caller ID can ask: without a cap a spoofer could text a number again and again.
            self.say(self._too_many_texts(), state.lang)
            return node.next or self.flow.start
        body = fit(
            " ".join(
                p
                for p in (
                    f"{occurrence.title}, {when(occurrence.local_start, state.lang)}.",
                    occurrence.place or occurrence.site_name,
                    dial_in(occurrence),
                )
                if p
            )
        )
        # Idempotent on the call and the step: a retried webhook writes no second text.
        send_to_contact(
            self.session,
            contact.id,
            self.org.id,
            body,
            kind="self",
            dedupe_key=f"voice:{self.call_sid}:text:{occurrence.event_id}:"
            f"{occurrence.starts_at.isoformat()}",
            language=state.lang,
        )
        self.say(_("We have sent the details by text."), state.lang)
        return node.next or self.flow.start

    def _do_list_live_sessions(self, state: CallState, node: Node) -> CallState | str:
        found = [
            o
            for o in self._occurrences(state.lang, self.now, self.now + dt.timedelta(seconds=1))
            if o.dial_in_number
        ]
        if not found:
            self.say(_("No session is happening now."), state.lang)
            return node.back or self.flow.start
        for n, o in enumerate(found, start=1):
            self.say(_("%(number)d: %(name)s.", number=n, name=o.title), state.lang)
        return dataclasses.replace(
            state, items=tuple((o.event_id, o.starts_at.isoformat()) for o in found)
        )

    def _do_join_live_session(self, state: CallState, node: Node) -> None:
        occurrence = self._picked_occurrence(state)
        if occurrence is None or not occurrence.dial_in_number:
            self.enter(CallState(node=node.back or self.flow.start, lang=state.lang))
            return None
        self.say(_("Connecting you now."), state.lang)
        dial = self._flush().dial(
            caller_id=next((n.e164 for n in self.org.numbers if n.voice), None)
        )
        # Wait a moment for the conference to answer, then key in its PIN.
        dial.number(
            occurrence.dial_in_number,
            send_digits=f"wwww{occurrence.dial_in_pin}#" if occurrence.dial_in_pin else None,
        )
        return None
