"""The phone line: every action of the flow, by topic, dispatched through the command registry.

The engine (moving through the flow, menus, keys and speech) is in service/voice/engine.py;
each topic's actions in its own module, as the SMS conversation's commands are:
menu.py (welcome, language, news, goodbye), membership.py (groups, joining, the caller's own),
verify.py (proving the caller holds the number), events.py (events and live sessions),
support.py (support lines, messages, speak-up recordings), surveys.py (have your say).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable

from service.commands.registry import Channel, check_handlers
from service.voice.engine import DISCREET, CallState, StateCodec
from service.voice.events import EventActions
from service.voice.facts import CallFacts
from service.voice.membership import MembershipActions
from service.voice.menu import MenuActions
from service.voice.support import SupportActions
from service.voice.surveys import SurveyActions
from service.voice.verify import VerifyActions

__all__ = ["UNKNOWN", "CallState", "Line", "StateCodec", "known_from_facts"]

UNKNOWN = object()  # known_from_facts: only the Line can tell (it may read who is calling)


def known_from_facts(name: Hashable, facts: CallFacts, now: dt.datetime) -> Hashable:
    """A memo dependency's value (LineBase.depends) as the Line would give it, from facts alone.

    Where no code was proved on the call the caller is a stranger, and what the line says
    turns on nothing about them: their discreet-names choice is not heard, and a survey is
    offered whenever one is open (SurveyActions.holds). Else UNKNOWN: ask Line.dependency.
    tests/voice/test_memo.py holds the two to the same answers.
    """
    if facts.proved:
        return UNKNOWN
    if name == DISCREET:
        return False  # LineBase.dependency: no member, no discreet names
    if name == ("holds", "survey_open"):
        # open_audiences' own test of the rows: to a caller not proved, any survey taking
        # answers now is offered, whatever its audience (SurveyActions.holds says why).
        return any(now < closes_at for _audience, closes_at in facts.audiences)
    return UNKNOWN


class Line(
    MenuActions, MembershipActions, VerifyActions, EventActions, SupportActions, SurveyActions
):
    """Answers one webhook of one call: every action of the flow."""

    # Every flow action, by name: the voice column of the command registry (checked against it).
    ACTIONS = check_handlers(
        Channel.VOICE,
        {
            # "For English press 1", each choice in its own language
            "choose_language": MenuActions._do_choose_language,
            # what is new, read or played, then on to the menu
            "read_announcements": MenuActions._do_read_announcements,
            # read the networks, numbered; a number picks one
            "list_networks": MembershipActions._do_list_networks,
            # what the picked network is and its next events
            "describe_network": MembershipActions._do_describe_network,
            # text a join question to reply to (consent wording first if sensitive)
            "join_network": MembershipActions._do_join_network,
            # the caller pressed 1 after the consent wording: text the question
            "confirm_join": MembershipActions._do_confirm_join,
            # on, if a code texted on this call came back; else offer to text one
            "verify_caller": VerifyActions._do_verify_caller,
            # text a code to the calling number, then gather its six digits
            "send_caller_code": VerifyActions._do_send_caller_code,
            # the verified caller's own groups, numbered; a number picks one
            "list_my_groups": MembershipActions._do_list_my_groups,
            # one of their groups, with the choice to leave it
            "describe_my_group": MembershipActions._do_describe_my_group,
            # leave the picked group
            "leave_my_group": MembershipActions._do_leave_my_group,
            # this week's events, numbered
            "list_events": EventActions._do_list_events,
            # one event's details
            "describe_event": EventActions._do_describe_event,
            # send the event's details by text, through the outbox
            "text_event": EventActions._do_text_event,
            # support lines, crisis line first; a number connects
            "list_support": SupportActions._do_list_support,
            # <Dial> the picked line with the organisation's number as caller ID
            "connect_support": SupportActions._do_connect_support,
            # a voicemail is a call-back: when a call suits them (1 to 4) before the tone
            "ask_good_time": SupportActions._do_ask_good_time,
            # <Record> up to 2 minutes for a network lead
            "record_message": SupportActions._do_record_message,
            # <Record> a speak-up concern; the answer reads the case code out
            "record_concern": SupportActions._do_record_concern,
            # sessions happening now that have a dial-in
            "list_live_sessions": EventActions._do_list_live_sessions,
            # <Dial><Number sendDigits=PIN>
            "join_live_session": EventActions._do_join_live_session,
            # a survey's question (after the texted code), answered by key or voice; free
            # text recorded
            "ask_survey_question": SurveyActions._do_ask_survey_question,
            # say goodbye and hang up
            "goodbye": MenuActions._do_goodbye,
        },
    )
