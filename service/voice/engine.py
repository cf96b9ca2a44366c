"""The phone line's engine: a flow node and the caller's input in, TwiML out.

Who is calling is not known from caller ID (Twilio's `From` can be spoofed): until a code
texted to the number comes back on the call, the caller is treated exactly as a stranger.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar

from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import VoiceResponse

from service import languages
from service.config import Config
from service.contacts import operations as contacts
from service.contacts.models import Contact
from service.content import queries
from service.db import begin_writes
from service.keywords import fold
from service.messaging import crisis
from service.organisations.models import Organisation
from service.verification.caller import verified_caller
from service.voice.facts import CallFacts, read_call_facts
from service.voice.flows import Flow, Node, Option
from service.voice.models import VoiceCall
from service.voice.speaking import Speaker, voices

CHANNEL = "voice"
# Flow actions that only read. A step that runs nothing else holds no SQLite write lock (the
# views make the session read-first, service.db.read_first), so one web process reading a menu
# out does not queue the other behind it; any other action takes the lock before it runs, and
# reads what it writes on under it, as every step did before. No effect on PostgreSQL.
READS_ONLY_ACTIONS = frozenset(
    {
        "choose_language",
        "list_networks",
        "describe_network",
        "verify_caller",
        "list_my_groups",
        "describe_my_group",
        "list_events",
        "describe_event",
        "list_support",
        "ask_good_time",
        "list_live_sessions",
        "join_live_session",
        "goodbye",
    }
)
# Flow actions whose words depend on nothing but the organisation's content (its version), the
# call state and what LineBase.depends records (a condition's value, whether discreet names are
# read): a step that runs only these, or none, can be answered from service.voice.memo.
MEMO_ACTIONS = frozenset({"choose_language", "list_networks", "list_support", "goodbye"})
DISCREET = "discreet"  # LineBase.depends: the proved caller's discreet-names choice
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
        # The fields by hand, in asdict's order (so tokens are unchanged): asdict copies every
        # value deeply, and each menu signs two states.
        return self.serializer.dumps(
            {
                "node": state.node,
                "lang": state.lang,
                "items": state.items,
                "item": state.item,
                "tries": state.tries,
            }
        )

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


# What a node's action does: stay at the node (its state, maybe with a list read out), move
# on to another node (its name), or None when the action finished the call or handed it on.
Outcome = CallState | str | None
Action = Callable[[Any, CallState, Node], Outcome]


def key_for_speech(
    node: Node, lang: str, speech: str, options: tuple[Option, ...] | None = None
) -> str:
    """The key a spoken answer stands for: an option's words in the language, or a digit.

    options: those offered now (LineBase.offered); by default those offered unconditionally.
    """
    # Keyboard variants folded too: recognition may write ਆਵਾਜ for ਆਵਾਜ਼, or ك for ک.
    heard = crisis.keyboard_form(fold(speech))
    if options is None:
        options = tuple(o for o in node.options if o.when is None)
    for option in options:
        if any(crisis.keyboard_form(fold(p)) in heard for p in option.say.get(lang, ())):
            return option.key
    digits = [c for c in languages.ascii_digits(heard) if c in "0123456789"]
    return digits[0] if digits else ""


class LineBase(Speaker):
    """Answers one webhook of one call in the caller's language; actions live in subclasses."""

    # Each flow action's handler: the voice column of the command registry, set by the Line.
    ACTIONS: ClassVar[Mapping[str, Action]] = MappingProxyType({})

    def __init__(
        self,
        session: Session,
        org: Organisation,
        flow: Flow,
        config: Config,
        *,
        call_sid: str,
        caller: str,
        now: dt.datetime,
        url_for_state: Any,
        recording_url: Any,
        url_for_concern: Any,
        url_for_survey_recording: Any = None,
        facts: CallFacts | None = None,
    ) -> None:
        super().__init__(config)
        self.session, self.org, self.flow = session, org, flow
        # The number Twilio says is calling: an address to text, never proof of who it is.
        self.call_sid, self.caller, self.now = call_sid, caller, now
        self.url_for_state, self.recording_url = url_for_state, recording_url
        self.url_for_concern = url_for_concern
        self.url_for_survey_recording = url_for_survey_recording
        self._member: Contact | None = None
        self._member_known = False
        # Read already by the view (service.voice.facts.read_step_facts), or on first use.
        self._facts: CallFacts | None = facts
        # What this answer turned on besides content and state, in the order it was asked, and
        # whether it ran only MEMO_ACTIONS: together they say whether it may be kept and reused.
        self.depends: dict[Hashable, Hashable] = {}
        self.memoable = True

    # -- who is calling ----------------------------------------------------------------------

    @property
    def member(self) -> Contact | None:
        """The caller's contact once they proved on this call that they hold the phone."""
        if not self._member_known:
            self._member = verified_caller(
                self.session,
                self.org,
                self.caller,
                call_sid=self.call_sid,
                proved=self.call_facts().proved,
            )
            self._member_known = True
        return self._member

    def call_facts(self) -> CallFacts:
        """Open surveys and codes proved on this call, read once (one statement for both)."""
        if self._facts is None:
            self._facts = read_call_facts(self.session, self.org.id, self.call_sid)
        return self._facts

    def forget_member(self) -> None:
        """A code was proved on this call just now: who is calling is read again."""
        self._member_known, self._facts = False, None

    def caller_contact(self) -> Contact:
        """The contact to text or call back and this call's row, made where a branch needs them.

        Only branches that act on the number ("text me", a voicemail) call this: a call that
        only listens or speaks up must leave neither behind (a case could be matched to either).
        """
        contact, _created = contacts.get_or_create_contact(
            self.session, self.org.id, self.caller, channel="voice"
        )
        self.session.flush()
        call = self.session.scalar(select(VoiceCall).where(VoiceCall.call_sid == self.call_sid))
        if call is None:
            self.session.add(
                VoiceCall(
                    call_sid=self.call_sid,
                    organisation_id=self.org.id,
                    contact_id=contact.id,
                    language=contact.language,
                )
            )
            self.session.flush()
        return contact

    def countries(self) -> frozenset[int]:
        """Country calling codes the organisation texts."""
        codes = self.config.ALLOWED_COUNTRY_CODES.split(",")
        return frozenset(int(c) for c in codes if c.strip().isdigit())

    # -- moving through the flow -----------------------------------------------------------

    def holds(self, condition: str) -> bool:
        """Whether a flow condition (service.voice.flows.CONDITIONS) holds for this call."""
        return False

    def dependency(self, name: Hashable) -> Hashable:
        """The value now of something an answer depended on (a key of self.depends)."""
        if name == DISCREET:
            return self.member.discreet if self.member else False
        _kind, condition = name  # ("holds", condition)
        return self.holds(condition)

    def _holds(self, condition: str) -> bool:
        held = self.depends[("holds", condition)] = self.holds(condition)
        return held

    def offered(self, node: Node) -> tuple[Option, ...]:
        """The node's options as offered now: those whose condition holds shadow the rest."""
        active = [o for o in node.options if o.when is not None and self._holds(o.when)]
        taken = {o.key for o in active}
        return (*active, *(o for o in node.options if o.when is None and o.key not in taken))

    def enter(self, state: CallState) -> VoiceResponse:
        """Arrive at a node: run its action, read its menu, wait for a key."""
        node = self.flow.node(state.node)
        if node.action and node.action not in MEMO_ACTIONS:
            self.memoable = False
        if node.action and node.action not in READS_ONLY_ACTIONS:
            begin_writes(self.session)
        with force_locale(state.lang):
            outcome = self.ACTIONS[node.action](self, state, node) if node.action else state
        if outcome is None:  # the action finished the call or handed it elsewhere
            return self.response
        if isinstance(outcome, str):  # the action moved the call on to another node
            return self.enter(CallState(node=outcome, lang=state.lang))
        self._menu(node, outcome)
        return self.response

    def _menu(self, node: Node, state: CallState) -> None:
        settings = voices()[state.lang]
        speech = settings.get("speech")
        options = self.offered(node)
        hints = [p for o in options for p in o.say.get(state.lang, ())]
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
        for option in options:
            if option.prompt:  # an option offered for now, such as a survey that is open
                self.prompt(option.prompt, state.lang, gather)
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
        # Keys come as 0-9 from the keypad, but speech recognition writes ۲ or ੨ in some scripts.
        digits, speech = languages.ascii_digits(digits), languages.ascii_digits(speech)
        if node.action == "choose_language":
            # The language menu has its own answer; a step URL that lands here still gets it.
            return self.choose_language(state, digits, speech, noinput)  # type: ignore[attr-defined]
        with force_locale(state.lang):
            if noinput:
                if state.tries >= NO_INPUT_TRIES:
                    return self.enter(CallState(node=self._goodbye(), lang=state.lang))
                self.say(_("Sorry, we did not hear anything."), state.lang)
                self._menu(node, state)
                return self.response
            if not digits and crisis.detect(speech) is not None:
                # Whatever menu they are at, a caller who says they may harm themselves hears
                # 999 and the crisis line first, and can be put through to it with one key.
                return self.enter(CallState(node=self._support(), lang=state.lang))
            key = (
                digits[:1]
                if digits
                else key_for_speech(node, state.lang, speech, self.offered(node))
            )
            target = self._target(node, state, key)
            if target is None:
                self.say(_("That is not an option."), state.lang)
                self._menu(node, state)
                return self.response
        return self.enter(target)

    def _target(self, node: Node, state: CallState, key: str) -> CallState | None:
        if key == "*":
            return dataclasses.replace(state, tries=0)
        if key == "0" and node.back:
            return CallState(node=node.back, lang=state.lang)
        for option in self.offered(node):
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

    def _support(self) -> str:
        return next(n.name for n in self.flow.nodes.values() if n.action == "list_support")

    def _goodbye(self) -> str:
        return next(n.name for n in self.flow.nodes.values() if n.action == "goodbye")

    def _verify_node(self) -> str:
        return next(n.name for n in self.flow.nodes.values() if n.action == "verify_caller")

    # -- what several topics say ---------------------------------------------------------------

    def _too_many_texts(self) -> str:
        return _("We cannot send another text to this phone just now. Please try again later.")

    def _cannot_text(self) -> str:
        return _("Sorry, we cannot send texts to the phone you are calling from.")

    # -- shared lookups ----------------------------------------------------------------------

    def _networks(self, lang: str) -> list[queries.NetworkView]:
        return queries.networks(self.session, self.org.id, lang)

    def _name(self, network: queries.NetworkView) -> str:
        # Names are public; only a member who proved it is them hears their discreet names.
        # Hearing them would tell anyone using the number that its owner chose discretion.
        if not (network.sensitive and network.discreet_name):
            return network.name  # the same for everyone: no need to ask who is calling
        discreet = self.depends[DISCREET] = self.dependency(DISCREET)
        return network.display_name(discreet=discreet)

    def _picked_network(self, state: CallState) -> queries.NetworkView | None:
        return next((n for n in self._networks(state.lang) if n.id == state.item), None)
