"""The SMS conversation: one parsed text in, reply texts out, through the shared operations."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from service.commands.registry import Channel, check_handlers
from service.contacts import operations as contacts
from service.keywords import Parsed, parse
from service.messaging import replies
from service.messaging.replies import fit, word
from service.privacy.erasure import erase_contact
from service.sms.event_commands import EventCommands
from service.sms.membership_commands import MembershipCommands
from service.sms.support_commands import SupportCommands
from service.sms.surveys import SurveyCommands
from service.verification import by_reply


class Conversation(MembershipCommands, EventCommands, SupportCommands, SurveyCommands):
    """One inbound text from one contact, answered in the contact's language."""

    def answer(
        self, text: str, *, first_text: bool = False, parsed: Parsed | None = None
    ) -> tuple[str, list[str]]:
        """The command kind recognised and the reply texts (usually one); parsed: text, read."""
        if parsed is None:
            parsed = parse(text, self.keywords().keys())
        if parsed.kind == "crisis":
            # The crisis line first and alone, in the language the words are written in; the
            # welcome, the command and any menu can wait for the next text.
            language = parsed.crisis_language or self.language
            if first_text and language != self.language:
                contacts.set_language(self.session, self.contact, language)
            # A survey being answered waits for its keyword. The crisis words are no answer:
            # kept in an anonymous survey, nobody could reach the writer, and they would sit
            # in results colleagues read. Nor is the next text ("I can't call them", a name):
            # it is read as an ordinary text, so crisis words in it are answered again.
            self.pause_survey()
            return parsed.kind, [self.crisis_reply(language)]
        if first_text and parsed.said_in not in (None, "en", self.language):
            # A first text in Polish gets Polish back, before anyone asks for it.
            contacts.set_language(self.session, self.contact, parsed.said_in)
            self._networks = None
        self.text = text
        # A survey's keyword is no command's or group's own word (it may look like one).
        keyword = parsed.kind == "unknown" or parsed.guessed
        if (
            parsed.kind not in {"opt_out", "opt_in"}
            and self.survey_for(text, may_be_keyword=keyword) is not None
        ):
            # A survey's keyword, or any text while one is being answered (STOP still stops).
            return "survey", self.answer_parsed(Parsed("survey"))
        return parsed.kind, self.answer_parsed(parsed)

    def answer_parsed(self, parsed: Parsed) -> list[str]:
        """Reply texts for an already-parsed command."""
        if parsed.kind == "crisis":
            return self._on_crisis(parsed, pending=None)  # even after STOP
        # Someone who stopped our texts and asks for support still gets the support lines: a
        # reply to their own request is not marketing, and the crisis words are answered too.
        if self.contact.opted_out_at is not None and parsed.kind not in {"opt_in", "yes", "talk"}:
            with force_locale(self.language):
                return [_("You have stopped our texts. Text START to get them again.")]
        pending = self._take_pending()
        with force_locale(self.language):
            if parsed.guessed:
                yes = self._set_pending("confirm", {"text": parsed.canonical})
                body = [replies.did_you_mean(parsed.canonical, yes)]
            else:
                body = HANDLERS[parsed.kind](self, parsed, pending)
        return body

    # -- commands -------------------------------------------------------------------------

    def _on_unknown(self, parsed: Parsed, pending: Any) -> list[str]:
        return [replies.not_understood(self.language)]

    def _on_crisis(self, parsed: Parsed, pending: Any) -> list[str]:
        return [self.crisis_reply(self.language)]

    def _on_help(self, parsed: Parsed, pending: Any) -> list[str]:
        return [replies.help_text(self.language)]

    def _on_opt_out(self, parsed: Parsed, pending: Any) -> list[str]:
        contacts.opt_out(self.session, self.contact)
        return [_("You will get no more texts from us. Text START to get them again.")]

    def _on_opt_in(self, parsed: Parsed, pending: Any) -> list[str]:
        was_out = contacts.opt_in(self.session, self.contact)
        if not was_out:
            return [replies.help_text(self.language)]
        return [
            _(
                "Welcome back. You will get our texts again. Text %(help)s for options.",
                help=self.w("help"),
            )
        ]

    def _on_yes(self, parsed: Parsed, pending: Any) -> list[str]:
        if self.contact.opted_out_at is not None:
            # YES is an opt-in word for Twilio too: the database must agree with it.
            return self._on_opt_in(parsed, pending)
        number = None if parsed.number is None else str(parsed.number)
        if pending is not None and number in (None, pending[1].get("nonce")):
            # A bare YES answers only the question this member's own last text caused.
            return self._confirm(*pending)
        if number is not None:
            # A question asked on another channel (a kiosk that was offline, say) is confirmed
            # only by the number it showed, so nobody else's request can take this YES.
            done = by_reply.confirm_by_reply(self.session, self.contact, number)
            if done is not None:
                return [done]
            return [replies.wrong_reply_number(self.language)]
        if by_reply.awaiting_reply(self.session, self.contact):
            return [replies.reply_with_number(self.language)]
        return [replies.nothing_to_confirm(self.language)]

    def _confirm(self, kind: str, payload: dict[str, Any]) -> list[str]:
        if kind == "confirm":
            again = parse(payload["text"], self.keywords().keys())
            return self.answer_parsed(dataclasses.replace(again, guessed=False))
        if kind == "consent":
            joined = self._join_with_consent(payload["network_id"])
            if payload.get("then"):
                # JOIN MINDS AND RACE: the next group's own question follows, in its own text.
                return [*joined, self._ask_consent(payload["then"])]
            return joined
        if kind == "forget":
            return self._forget()
        return [replies.nothing_to_confirm(self.language)]

    def _on_no(self, parsed: Parsed, pending: Any) -> list[str]:
        return [replies.cancelled()]

    def _on_more(self, parsed: Parsed, pending: Any) -> list[str]:
        if self.state.list_kind == "networks" and self.state.list_offset < len(self.networks()):
            return self._network_list(self.state.list_offset)
        if self.state.list_kind == "events":
            return self._event_list(None, self.state.list_offset)
        return [replies.nothing_to_confirm(self.language)]

    def _on_pick(self, parsed: Parsed, pending: Any) -> list[str]:
        call_time = self.pick_call_time(parsed.number)
        if call_time is not None:
            return call_time
        if self.state.list_kind == "networks":
            network = self._network_from(parsed)
            if network is None:
                return [replies.no_such_number(parsed.number or 0, self.language)]
            return self._about(network)
        if self.state.list_kind == "events":
            return self._event_details(parsed.number)
        return [replies.pick_without_list(self.language)]

    def _on_language(self, parsed: Parsed, pending: Any) -> list[str]:
        if parsed.language is None:
            choices = replies.language_choices(besides=self.language)
            return [fit(_("Which language? Text one of:") + " " + choices)]
        contacts.set_language(self.session, self.contact, parsed.language)
        self._networks = None
        with force_locale(parsed.language):
            return [
                _(
                    "OK, I will write in English. Text %(help)s for options.",
                    help=word("help", parsed.language),
                )
            ]

    def _on_forget_me(self, parsed: Parsed, pending: Any) -> list[str]:
        yes = self._set_pending("forget", {})
        return [
            fit(
                _(
                    "This deletes your number, your groups and your replies from our system. "
                    "Reply %(yes)s to delete.",
                    yes=yes,
                )
            )
        ]

    def _forget(self) -> list[str]:
        reply = _("Done. We have deleted everything we held about this number.")
        if self.before_erasure is not None:
            # This text's own log row first: the erasure has Twilio delete it with the rest.
            self.before_erasure()
        # Its row is locked: this text marked the member seen before it was answered.
        erase_contact(self.session, self.contact, locked=True)
        return [reply]


# What the conversation does for each kind of text: the SMS column of the command registry.
Handler = Callable[[Conversation, Parsed, Any], list[str]]
HANDLERS: Mapping[str, Handler] = check_handlers(
    Channel.SMS,
    {
        "networks": Conversation._on_networks,
        "about": Conversation._on_about,
        "join": Conversation._on_join,
        "leave": Conversation._on_leave,
        "leave_all": Conversation._on_leave_all,
        "name": Conversation._on_name,
        "discreet": Conversation._on_discreet,
        "events": Conversation._on_events,
        "going": Conversation._on_going,
        "not_going": Conversation._on_not_going,
        "talk": Conversation._on_talk,
        "call_me": Conversation._on_call_me,
        "crisis": Conversation._on_crisis,
        "language": Conversation._on_language,
        "help": Conversation._on_help,
        "opt_out": Conversation._on_opt_out,
        "opt_in": Conversation._on_opt_in,
        "forget_me": Conversation._on_forget_me,
        "yes": Conversation._on_yes,
        "no": Conversation._on_no,
        "more": Conversation._on_more,
        "pick": Conversation._on_pick,
        "empty": Conversation._on_unknown,
        "unknown": Conversation._on_unknown,
        "all": Conversation._on_unknown,
        "survey": Conversation._on_survey,
    },
)
