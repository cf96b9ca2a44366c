"""The phone line's engine: a flow node and the caller's input in, TwiML out."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import VoiceResponse

from service import languages
from service.config import Config
from service.contacts import operations as contacts
from service.contacts.models import Contact
from service.content import queries
from service.content.models import Network
from service.formatting import phone, when
from service.keywords import fold
from service.organisations.models import Organisation
from service.outbox.operations import send_to_contact
from service.reach.operations import count_reach
from service.voice.flows import Flow, Node
from service.voice.speaking import Speaker, voices

CHANNEL = "voice"
NO_INPUT_TRIES = 3  # the first prompt and two re-prompts, then goodbye
WEEK = dt.timedelta(days=7)
SPEAKUP_MAX_SECONDS = 180


@dataclass(frozen=True)
class CallState:
    """Where a call is, carried in signed action URLs so any web worker can take the next step."""

    node: str
    lang: str = "en"
    items: tuple[Any, ...] = ()  # what the last list read out, in order
    item: Any = None  # the entry picked from it
    tries: int = 0  # prompts in a row with no input


class StateCodec:
    """Signs call state into a URL parameter, and refuses state that was tampered with."""

    def __init__(self, secret: str) -> None:
        self.serializer = URLSafeSerializer(secret, salt="frontline-voice-state")

    def dump(self, state: CallState) -> str:
        """The signed token for a state."""
        return self.serializer.dumps(dataclasses.asdict(state))

    def load(self, token: str) -> CallState | None:
        """The state in a token, or None when it is not ours."""
        try:
            data = self.serializer.loads(token)
            data["items"] = tuple(tuple(i) if isinstance(i, list) else i for i in data["items"])
            if isinstance(data["item"], list):
                data["item"] = tuple(data["item"])
            return CallState(**data)
        except (BadSignature, KeyError, TypeError):
            return None


class Line(Speaker):
    """Answers one webhook of one call in the caller's language."""

    def __init__(
        self,
        session: Session,
        org: Organisation,
        flow: Flow,
        config: Config,
        *,
        call_sid: str,
        contact: Contact,
        now: dt.datetime,
        url_for_state: Any,
        recording_url: Any,
        url_for_concern: Any,
    ) -> None:
        super().__init__(config)
        self.session, self.org, self.flow = session, org, flow
        self.call_sid, self.contact, self.now = call_sid, contact, now
        self.url_for_state, self.recording_url = url_for_state, recording_url
        self.url_for_concern = url_for_concern

    # -- moving through the flow -----------------------------------------------------------

    def enter(self, state: CallState) -> VoiceResponse:
        """Arrive at a node: run its action, read its menu, wait for a key."""
        node = self.flow.node(state.node)
        handler = getattr(self, f"_do_{node.action}", None) if node.action else None
        with force_locale(state.lang):
            outcome = handler(state, node) if handler else state
        if outcome is None:  # the action finished the call or handed it elsewhere
            return self.response
        if isinstance(outcome, str):  # the action moved the call on to another node
            return self.enter(CallState(node=outcome, lang=state.lang))
        self._menu(node, outcome)
        return self.response

    def _menu(self, node: Node, state: CallState) -> None:
        settings = voices()[state.lang]
        speech = settings.get("speech")
        hints = [p for o in node.options for p in o.say.get(state.lang, ())]
        gather = self.response.gather(
            input="dtmf speech" if speech else "dtmf",
            num_digits=1,
            timeout=6,
            action=self.url_for_state(dataclasses.replace(state, tries=0)),
            method="POST",
            **(
                {"language": speech, "hints": ", ".join(hints)}
                if speech and hints
                else {"language": speech}
                if speech
                else {}
            ),
        )
        self._speak_pending(gather)
        if node.prompt:
            self.prompt(node.prompt, state.lang, gather)
        # Twilio does not call the action when nothing is pressed: it falls through to here.
        self.response.redirect(
            self.url_for_state(dataclasses.replace(state, tries=state.tries + 1)) + "&noinput=1",
            method="POST",
        )

    def answer(self, state: CallState, digits: str, speech: str, noinput: bool) -> VoiceResponse:
        """The caller pressed a key or spoke (or did neither) at a node."""
        node = self.flow.node(state.node)
        with force_locale(state.lang):
            if noinput:
                if state.tries >= NO_INPUT_TRIES:
                    return self.enter(CallState(node=self._goodbye(), lang=state.lang))
                self.say(_("Sorry, we did not hear anything."), state.lang)
                self._menu(node, state)
                return self.response
            key = digits[:1] if digits else self._key_for_speech(node, state.lang, speech)
            target = self._target(node, state, key)
            if target is None:
                self.say(_("That is not an option."), state.lang)
                self._menu(node, state)
                return self.response
        return self.enter(target)

    def _key_for_speech(self, node: Node, lang: str, speech: str) -> str:
        heard = fold(speech)
        for option in node.options:
            if any(fold(p) in heard for p in option.say.get(lang, ())):
                return option.key
        digits = [c for c in heard if c.isdigit()]
        return digits[0] if digits else ""

    def _target(self, node: Node, state: CallState, key: str) -> CallState | None:
        if key == "*":
            return dataclasses.replace(state, tries=0)
        if key == "0" and node.back:
            return CallState(node=node.back, lang=state.lang)
        for option in node.options:
            if option.key == key:
                return CallState(
                    node=option.goto, lang=state.lang, items=state.items, item=state.item
                )
        if node.pick and key.isdigit() and 1 <= int(key) <= len(state.items):
            return CallState(
                node=node.pick, lang=state.lang, items=state.items, item=state.items[int(key) - 1]
            )
        return None

    def after_recording(self, state: CallState) -> VoiceResponse:
        """The caller finished a message: thank them and carry on."""
        with force_locale(state.lang):
            self.say(_("Thank you. Your message has been saved for the organisers."), state.lang)
        return self.enter(state)

    def _goodbye(self) -> str:
        return next(n.name for n in self.flow.nodes.values() if n.action == "goodbye")

    # -- actions ------------------------------------------------------------------------------

    def _do_choose_language(self, state: CallState, node: Node) -> None:
        gather = self.response.gather(
            input="dtmf",
            num_digits=1,
            timeout=6,
            method="POST",
            action=self.url_for_state(dataclasses.replace(state, tries=0)) + "&choose=1",
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
        self.response.redirect(
            self.url_for_state(dataclasses.replace(state, tries=state.tries + 1)) + "&noinput=1",
            method="POST",
        )
        return None

    def choose_language(self, state: CallState, digits: str) -> VoiceResponse:
        """The caller picked a language by number."""
        codes = languages.CODES
        if not digits[:1].isdigit() or not 1 <= int(digits[:1]) <= len(codes):
            return self.enter(state)
        lang = codes[int(digits[:1]) - 1]
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
        contacts.set_language(self.session, self.contact, lang)
        node = self.flow.node(state.node)
        return self.enter(CallState(node=node.next or self.flow.start, lang=lang))

    def _do_read_announcements(self, state: CallState, node: Node) -> str:
        news = queries.live_announcements(
            self.session, self.org.id, now=self.now, language=state.lang
        )
        for item in news[:3]:
            if item.audio_url:
                self._flush().play(item.audio_url)
            else:
                self.say(item.body, state.lang)
        return node.next or self.flow.start

    def _networks(self, lang: str) -> list[queries.NetworkView]:
        return queries.networks(self.session, self.org.id, lang)

    def _name(self, network: queries.NetworkView) -> str:
        return network.display_name(discreet=self.contact.discreet)

    def _do_list_networks(self, state: CallState, node: Node) -> CallState | str:
        networks = self._networks(state.lang)[:9]
        if not networks:
            self.say(_("There are no groups yet."), state.lang)
            return node.back or self.flow.start
        for n, network in enumerate(networks, start=1):
            self.say(_("%(number)d: %(name)s.", number=n, name=self._name(network)), state.lang)
        return dataclasses.replace(state, items=tuple(n.id for n in networks))

    def _picked_network(self, state: CallState) -> queries.NetworkView | None:
        return next((n for n in self._networks(state.lang) if n.id == state.item), None)

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

    def _do_join_network(self, state: CallState, node: Node) -> CallState | str:
        network = self._picked_network(state)
        if network is None:
            return node.back or self.flow.start
        if not network.sensitive:
            contacts.join_network(
                self.session,
                self.contact,
                self.session.get_one(Network, network.id),
                channel=CHANNEL,
            )
            self.say(_("You have joined %(name)s.", name=self._name(network)), state.lang)
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
            contacts.join_network(
                self.session,
                self.contact,
                self.session.get_one(Network, network.id),
                channel=CHANNEL,
                consent_version=contacts.CONSENT_VERSION if network.sensitive else None,
            )
            self.say(_("You have joined %(name)s.", name=self._name(network)), state.lang)
        return node.next or self.flow.start

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

    def _event_words(self, o: queries.Occurrence, lang: str) -> str:
        parts = [f"{o.title}, {when(o.local_start, lang)}.", o.place or o.site_name, o.description]
        if o.dial_in_number:
            parts.append(_("By phone: %(number)s.", number=phone(o.dial_in_number)))
        return " ".join(p for p in parts if p)

    def _do_describe_event(self, state: CallState, node: Node) -> CallState | str:
        occurrence = self._picked_occurrence(state)
        if occurrence is None:
            return node.back or self.flow.start
        if occurrence.audio_url:
            # The organiser recorded it in their own voice: play that instead of the text.
            self._flush().play(occurrence.audio_url)
        else:
            self.say(self._event_words(occurrence, state.lang), state.lang)
        return state

    def _do_text_event(self, state: CallState, node: Node) -> str:
        occurrence = self._picked_occurrence(state)
        if occurrence is not None:
            from service.sms.replies import dial_in, fit

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
                self.contact.id,
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
            site_id=self.contact.site_id,
            at=self.now,
        )
        caller_id = next((n.e164 for n in self.org.numbers if n.voice), None)
        self.say(_("Connecting you now."), state.lang)
        self._flush().dial(line.phone, caller_id=caller_id)
        return None

    def _do_record_message(self, state: CallState, node: Node) -> None:
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
