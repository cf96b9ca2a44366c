"""SMS commands for support: TALK and CALL ME."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from service.callbacks.models import CallbackRequest
from service.callbacks.operations import GOOD_TIMES, request_callback, set_good_time
from service.content import queries
from service.keywords import Parsed
from service.messaging import replies
from service.messaging.replies import fit_list
from service.reach.operations import count_reach
from service.sms.context import CHANNEL, ConversationBase

# The conversation's list after CALL ME: the request whose good time a 1 to 4 answers.
CALL_TIME = "call_time"


class SupportCommands(ConversationBase):
    """TALK / SUPPORT / HELPLINE, and CALL ME [group]."""

    def _on_talk(self, parsed: Parsed, pending: Any) -> list[str]:
        # A support request is someone asking us for support: TALK by text, or choosing a line
        # to be put through to on the phone. It counts even when the answer is only "call 999".
        # A retried webhook never gets here twice (the MessageSid is claimed first).
        def counted() -> None:
            count_reach(
                self.session,
                self.org.id,
                measure="support",
                channel=CHANNEL,
                site_id=self.contact.site_id,
            )

        if self.after_contact_locked is None:
            counted()
        else:
            self.after_contact_locked.append(counted)
        lines = queries.support_lines(self.session, self.org.id, self.language)
        if not lines:
            return [_("If you are in danger now, call 999.")]
        entries = [
            replies.support_line(line.name, line.phone, "" if line.always_open else line.hours)
            for line in lines
        ]
        entries[0] += " " + _("(any time)") if lines[0].always_open else ""
        text, _shown, _more = fit_list(
            _("Support:"), entries, _("%(call_me)s: we call you back.", call_me=self.w("call_me"))
        )
        return [text]

    def _on_call_me(self, parsed: Parsed, pending: Any) -> list[str]:
        network = self._network_from(parsed) if parsed.network or parsed.number else None
        if (parsed.network or parsed.number) and network is None:
            return [self._which_network(parsed, "call_me")]
        row, created = request_callback(
            self.session,
            self.contact,
            network_id=network.id if network else None,
            channel=CHANNEL,
            language=self.language,
        )
        if not created:
            return [_("You have already asked for a call. Someone will call you soon.")]
        # A bare 1 to 4 in the next reply says when a call suits them (see pick_call_time).
        self._set_list(CALL_TIME, [row.id])
        when = _(
            "When is a good time to call? Reply 1 morning, 2 afternoon, 3 evening, 4 any time."
        )
        if network is not None:
            thanks = _(
                "Thanks. Someone from %(name)s will call you back soon.", name=self.name(network)
            )
        else:
            thanks = _("Thanks. Someone will call you back soon.")
        # Two texts: together they pass two segments in every language that needs UCS-2.
        return [thanks, when]

    def pick_call_time(self, number: int | None) -> list[str] | None:
        """The answer to "when is a good time to call?", or None when no such question is open."""
        if self.state.list_kind != CALL_TIME or number is None:
            return None
        row = self.session.get(CallbackRequest, (self.state.list_items or [0])[0])
        if row is None or row.contact_id != self.contact.id or row.status != "open":
            return None
        if not 1 <= number <= len(GOOD_TIMES):
            return [_("Reply 1 morning, 2 afternoon, 3 evening or 4 any time.")]
        good_time = GOOD_TIMES[number - 1]
        # A pick is answered before its member's row is locked (service.sms.operations): its
        # UPDATE of the request waits for that lock, as every write about a member does. Made
        # first, it held the request's row while waiting for the contact's, and an erasure
        # (contact, then its call-backs) waiting on it was a deadlock on PostgreSQL.
        if self.after_contact_locked is None:
            set_good_time(self.session, row, good_time)
        else:
            self.after_contact_locked.append(lambda: set_good_time(self.session, row, good_time))
        self.state.list_kind = self.state.list_items = None  # answered: a 2 now is just a 2
        return [
            {
                "morning": _("Thanks. We will try to call you in the morning."),
                "afternoon": _("Thanks. We will try to call you in the afternoon."),
                "evening": _("Thanks. We will try to call you in the evening."),
                "any": _("Thanks. We will call you at any time."),
            }[good_time]
        ]
