"""The phone line's menus: languages, news, groups, events, support, messages, live sessions.

The engine is in service/voice/engine.py; the caller's own business (proving it is them, their
groups, joining) in service/voice/member.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from flask_babel import force_locale
from flask_babel import gettext as _
from twilio.twiml.voice_response import VoiceResponse

from service import languages
from service.commands.registry import Channel, check_handlers
from service.contacts import operations as contacts
from service.content import queries
from service.formatting import phone, when
from service.messaging import crisis
from service.outbox.operations import send_to_contact
from service.reach.operations import count_reach
from service.verification.operations import MAX_TEXTS_PER_HOUR, texts_this_hour
from service.voice.engine import (
    CHANNEL,
    NO_INPUT_TRIES,
    SPEAKUP_MAX_SECONDS,
    WEEK,
    CallState,
    StateCodec,
)
from service.voice.flows import Node
from service.voice.member import MemberActions
from service.voice.speaking import voices
from service.voice.welcome import heard_news_today, language_for_speech, language_hints

__all__ = ["CallState", "Line", "StateCodec"]


class Line(MemberActions):
    """Answers one webhook of one call: every action of the flow."""

    def _known_site(self) -> int | None:
        # Reach is counted by site when the number is known; nothing is created to find out.
        contact = contacts.find_contact(self.session, self.org.id, self.caller)
        return contact.site_id if contact is not None else None

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
            if not digits and crisis.detect(speech) is not None:
                return self.enter(CallState(node=self._support(), lang="en"))
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
        # Not stored on the contact: the number calling proves nothing yet (see MemberActions).
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

    def _do_list_networks(self, state: CallState, node: Node) -> CallState | str:
        networks = self._networks(state.lang)[:9]
        if not networks:
            self.say(_("There are no groups yet."), state.lang)
            return node.back or self.flow.start
        for n, network in enumerate(networks, start=1):
            self.say(_("%(number)d: %(name)s.", number=n, name=self._name(network)), state.lang)
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
        from service.messaging.replies import dial_in, fit

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

    def _do_goodbye(self, state: CallState, node: Node) -> None:
        self.prompt(node.prompt or "goodbye", state.lang, self._flush())
        self.response.hangup()
        return None


# Every flow action, by name: the voice column of the command registry (checked against it).
Line.ACTIONS = check_handlers(
    Channel.VOICE,
    {
        # "For English press 1", each choice in its own language
        "choose_language": Line._do_choose_language,
        # what is new, read or played, then on to the menu
        "read_announcements": Line._do_read_announcements,
        # read the networks, numbered; a number picks one
        "list_networks": Line._do_list_networks,
        # what the picked network is and its next events
        "describe_network": Line._do_describe_network,
        # text a join question to reply to (consent wording first if sensitive)
        "join_network": Line._do_join_network,
        # the caller pressed 1 after the consent wording: text the question
        "confirm_join": Line._do_confirm_join,
        # on, if a code texted on this call came back; else offer to text one
        "verify_caller": Line._do_verify_caller,
        # text a code to the calling number, then gather its six digits
        "send_caller_code": Line._do_send_caller_code,
        # the verified caller's own groups, numbered; a number picks one
        "list_my_groups": Line._do_list_my_groups,
        # one of their groups, with the choice to leave it
        "describe_my_group": Line._do_describe_my_group,
        # leave the picked group
        "leave_my_group": Line._do_leave_my_group,
        # this week's events, numbered
        "list_events": Line._do_list_events,
        # one event's details
        "describe_event": Line._do_describe_event,
        # send the event's details by text, through the outbox
        "text_event": Line._do_text_event,
        # support lines, crisis line first; a number connects
        "list_support": Line._do_list_support,
        # <Dial> the picked line with the organisation's number as caller ID
        "connect_support": Line._do_connect_support,
        # <Record> up to 2 minutes for a network lead
        "record_message": Line._do_record_message,
        # <Record> a speak-up concern; the answer reads the case code out
        "record_concern": Line._do_record_concern,
        # sessions happening now that have a dial-in
        "list_live_sessions": Line._do_list_live_sessions,
        # <Dial><Number sendDigits=PIN>
        "join_live_session": Line._do_join_live_session,
        # say goodbye and hang up
        "goodbye": Line._do_goodbye,
    },
)
