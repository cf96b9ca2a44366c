"""SMS commands for support: TALK and CALL ME."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from service.callbacks.operations import request_callback
from service.content import queries
from service.keywords import Parsed
from service.messaging import replies
from service.messaging.replies import fit_list
from service.reach.operations import count_reach
from service.sms.context import CHANNEL, ConversationBase


class SupportCommands(ConversationBase):
    """TALK / SUPPORT / HELPLINE, and CALL ME [group]."""

    def _on_talk(self, parsed: Parsed, pending: Any) -> list[str]:
        # A support request is someone asking us for support: TALK by text, or choosing a line
        # to be put through to on the phone. It counts even when the answer is only "call 999".
        # A retried webhook never gets here twice (the MessageSid is claimed first).
        count_reach(
            self.session,
            self.org.id,
            measure="support",
            channel=CHANNEL,
            site_id=self.contact.site_id,
        )
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
        _row, created = request_callback(
            self.session,
            self.contact,
            network_id=network.id if network else None,
            channel=CHANNEL,
            language=self.language,
        )
        if not created:
            return [_("You have already asked for a call. Someone will call you soon.")]
        if network is not None:
            return [
                _("Thanks. Someone from %(name)s will call you back soon.", name=self.name(network))
            ]
        return [_("Thanks. Someone will call you back soon.")]
