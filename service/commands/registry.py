"""Every member command, declared once: what it does and how each channel asks for it.

A channel reaches a command through its own steps: on SMS a kind of parsed text
(`service.keywords.Parsed.kind`), on the phone an action named by a node of `ivr_flows/`.
Both channels dispatch through handler tables keyed by those steps, and each table is checked
against this one when it is built (`check_handlers`): a step with no handler, or a handler for
a step this table does not know, stops the service at start-up. Flows are checked against it
when they load (`service.voice.flows`), so a flow naming an unknown action never loads.

The work a command does lives in the core (`contacts`, `rsvps`, `callbacks`, `reach`,
`speakup`, `content.queries`), shared by both channels; a channel only renders its answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import TypeVar

from service.callbacks.operations import request_callback
from service.contacts import operations as contacts
from service.content import queries
from service.messaging import vocabulary
from service.outbox.operations import send_to_contact
from service.privacy.erasure import erase_contact
from service.reach.operations import count_reach
from service.rsvps.operations import cancel_rsvp, rsvp
from service.speakup.operations import open_case, raise_concern
from service.surveys import taking
from service.verification import by_reply
from service.verification import caller as caller_checks


class Command(StrEnum):
    """Something a member can ask for, on whichever channel offers it."""

    NETWORKS = "networks"
    ABOUT = "about"
    JOIN = "join"
    LEAVE = "leave"
    MY_GROUPS = "my_groups"
    NAME = "name"
    DISCREET = "discreet"
    EVENTS = "events"
    EVENT = "event"
    GOING = "going"
    NOT_GOING = "not_going"
    LIVE_SESSIONS = "live_sessions"
    SUPPORT = "support"
    CALL_ME = "call_me"
    CRISIS = "crisis"
    MESSAGE = "message"
    SPEAK_UP = "speak_up"
    CASE = "case"
    NEWS = "news"
    SURVEY = "survey"
    LANGUAGE = "language"
    HELP = "help"
    STOP = "stop"
    START = "start"
    FORGET_ME = "forget_me"
    PROVE_NUMBER = "prove_number"
    GOODBYE = "goodbye"
    # Answers and moving through lists: what a member says to the service's last message.
    YES = "yes"
    NO = "no"
    MORE = "more"
    PICK = "pick"
    NOT_UNDERSTOOD = "not_understood"


class Channel(StrEnum):
    """A channel that dispatches member commands through a handler table."""

    SMS = "sms"
    VOICE = "voice"


@dataclass(frozen=True)
class Spec:
    """One command: what it does, and the steps that reach it on each channel."""

    does: str
    # The core operations that do the work, whichever channel asked: a channel renders.
    core: tuple[Callable[..., object], ...] = ()
    sms: tuple[str, ...] = ()  # parsed text kinds (service.keywords)
    voice: tuple[str, ...] = ()  # ivr_flows actions
    # On the phone, only for a caller who proved on the call that they hold the number:
    # caller ID can be spoofed, and these read or change that number's memberships.
    proved_caller: bool = False
    # By text, answered before the sender's contact is looked up or anything is written
    # (service.speakup.sms), never by the conversation: anonymous to the organisation.
    sms_anonymous: bool = False

    def steps(self, channel: Channel) -> tuple[str, ...]:
        """The steps that reach this command on a channel."""
        return self.sms if channel is Channel.SMS else self.voice


COMMANDS: Mapping[Command, Spec] = MappingProxyType(
    {
        Command.NETWORKS: Spec(
            "list the groups, numbered",
            core=(queries.networks,),
            sms=("networks",),
            voice=("list_networks",),
        ),
        Command.ABOUT: Spec(
            "what one group is and when it next meets",
            core=(queries.networks, queries.upcoming_occurrences),
            sms=("about",),
            voice=("describe_network",),
        ),
        # By phone the join is asked by text and done by the reply (service.verification).
        Command.JOIN: Spec(
            "join a group; a sensitive group asks consent first",
            core=(contacts.join_network, contacts.join_with_consent),
            sms=("join",),
            voice=("join_network", "confirm_join"),
        ),
        Command.LEAVE: Spec(
            "leave one group, or all of them",
            core=(contacts.leave_network, contacts.leave_all),
            sms=("leave", "leave_all"),
            voice=("leave_my_group",),
            proved_caller=True,
        ),
        Command.MY_GROUPS: Spec(
            "the member's own groups",
            core=(contacts.member_network_ids,),
            voice=("list_my_groups", "describe_my_group"),
            proved_caller=True,
        ),
        Command.NAME: Spec(
            "texts may use private groups' real names", core=(contacts.set_discreet,), sms=("name",)
        ),
        Command.DISCREET: Spec(
            "texts keep private groups' names private",
            core=(contacts.set_discreet,),
            sms=("discreet",),
        ),
        Command.EVENTS: Spec(
            "what's on, numbered",
            core=(queries.upcoming_occurrences,),
            sms=("events",),
            voice=("list_events",),
        ),
        # On SMS an event's details are a number picked from the list (PICK).
        Command.EVENT: Spec(
            "one event's details, read out or texted",
            core=(queries.upcoming_occurrences, send_to_contact),
            voice=("describe_event", "text_event"),
        ),
        Command.GOING: Spec("say you will go to an event (RSVP)", core=(rsvp,), sms=("going",)),
        Command.NOT_GOING: Spec("take back an RSVP", core=(cancel_rsvp,), sms=("not_going",)),
        Command.LIVE_SESSIONS: Spec(
            "join a session happening now by its dial-in",
            core=(queries.upcoming_occurrences,),
            voice=("list_live_sessions", "join_live_session"),
        ),
        Command.SUPPORT: Spec(
            "the support lines, crisis line first",
            core=(queries.support_lines, count_reach),
            sms=("talk",),
            voice=("list_support", "connect_support"),
        ),
        Command.CALL_ME: Spec("ask to be called back", core=(request_callback,), sms=("call_me",)),
        # By phone, crisis words at any menu lead to the support lines (list_support).
        Command.CRISIS: Spec(
            "the crisis line, first and alone", core=(queries.support_lines,), sms=("crisis",)
        ),
        Command.MESSAGE: Spec(
            "leave a voice message for the organisers (a call-back: when to call, then record)",
            core=(request_callback,),
            voice=("ask_good_time", "record_message"),
        ),
        Command.SPEAK_UP: Spec(
            "raise a concern with the speak-up guardian, anonymously",
            core=(raise_concern,),
            sms=("speakup",),
            voice=("record_concern",),
            sms_anonymous=True,
        ),
        Command.CASE: Spec(
            "follow a speak-up case by its code",
            core=(open_case,),
            sms=("case",),
            sms_anonymous=True,
        ),
        # By text, the survey's own keyword starts it; then every text answers it until the last
        # question, SKIP, BACK or LATER (service.sms.surveys). By phone, "have your say" on the
        # main menu while one is open, as the number's owner only: the answers so far are
        # theirs to hear and change (service.voice.surveys).
        Command.SURVEY: Spec(
            "answer a survey, one question at a time",
            core=(taking.begin, taking.answer, taking.back),
            sms=("survey",),
            voice=("ask_survey_question",),
            proved_caller=True,
        ),
        Command.NEWS: Spec(
            "what is new, read or played",
            core=(queries.live_announcements,),
            voice=("read_announcements",),
        ),
        Command.LANGUAGE: Spec(
            "choose the language",
            core=(contacts.set_language,),
            sms=("language",),
            voice=("choose_language",),
        ),
        Command.HELP: Spec("what to text", sms=("help",)),
        Command.STOP: Spec(
            "stop all texts (Twilio's opt-out words)", core=(contacts.opt_out,), sms=("opt_out",)
        ),
        Command.START: Spec("texts again after STOP", core=(contacts.opt_in,), sms=("opt_in",)),
        Command.FORGET_ME: Spec(
            "erase the number and everything about it", core=(erase_contact,), sms=("forget_me",)
        ),
        Command.PROVE_NUMBER: Spec(
            "prove the caller holds the number: a code texted to it, keyed in",
            core=(caller_checks.send_caller_code, caller_checks.check_caller_code),
            voice=("verify_caller", "send_caller_code"),
        ),
        Command.GOODBYE: Spec("say goodbye and hang up", voice=("goodbye",)),
        Command.YES: Spec(
            "confirm the question the last text asked",
            core=(by_reply.confirm_by_reply,),
            sms=("yes",),
        ),
        Command.NO: Spec("decline it", sms=("no",)),
        Command.MORE: Spec("the rest of the last list", sms=("more",)),
        Command.PICK: Spec("a number from the last list", sms=("pick",)),
        # "all" is ALL on its own: a word that only means something after LEAVE or EVENTS.
        Command.NOT_UNDERSTOOD: Spec(
            "a text that asks for nothing", sms=("empty", "unknown", "all")
        ),
    }
)


H = TypeVar("H")


class RegistryError(Exception):
    """A handler table that does not match the registry; the message says how."""


def _by_step(channel: Channel) -> dict[str, Command]:
    found: dict[str, Command] = {}
    for command, spec in COMMANDS.items():
        for step in spec.steps(channel):
            if step in found:
                raise RegistryError(f"{channel} step {step!r} is in {found[step]} and {command}")
            found[step] = command
    return found


SMS_KINDS: Mapping[str, Command] = MappingProxyType(_by_step(Channel.SMS))
# The kinds the SMS conversation answers: all but the anonymous ones (Spec.sms_anonymous).
CONVERSATION_KINDS: Mapping[str, Command] = MappingProxyType(
    {kind: c for kind, c in SMS_KINDS.items() if not COMMANDS[c].sms_anonymous}
)
VOICE_ACTIONS: Mapping[str, Command] = MappingProxyType(_by_step(Channel.VOICE))
# Voice actions that need a caller who proved the number (see Spec.proved_caller).
PROVED_CALLER_ACTIONS = frozenset(
    action for action, command in VOICE_ACTIONS.items() if COMMANDS[command].proved_caller
)


def _check_vocabulary() -> None:
    """Every command word a member can text reaches a command: the parser gives its key as kind."""
    unknown = (set(vocabulary.COMMANDS) - set(CONVERSATION_KINDS)) | (
        set(vocabulary.SPEAK_UP) - set(SMS_KINDS)
    )
    if unknown:
        raise RegistryError(
            f"words in service/messaging/vocabulary.py for {', '.join(sorted(unknown))} reach no "
            "command in service/commands/registry.py"
        )


# Checked on import, so a new word without its command stops the service starting, rather than
# failing the first text that uses it.
_check_vocabulary()


def steps(channel: Channel) -> Mapping[str, Command]:
    """The steps a channel's handler table answers, with the command each reaches."""
    return CONVERSATION_KINDS if channel is Channel.SMS else VOICE_ACTIONS


def check_handlers(channel: Channel, handlers: Mapping[str, H]) -> Mapping[str, H]:
    """The channel's handler table, once it is known to cover exactly the registry's steps."""
    known = steps(channel)
    missing = sorted(set(known) - set(handlers))
    extra = sorted(set(handlers) - set(known))
    if missing or extra:
        raise RegistryError(
            f"{channel} handlers do not match service/commands/registry.py:"
            + (f" no handler for {', '.join(missing)};" if missing else "")
            + (f" not in the registry: {', '.join(extra)}" if extra else "")
        )
    return MappingProxyType(dict(handlers))
