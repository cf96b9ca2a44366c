"""SMS commands about groups: list, hear about, join (with consent), leave, discretion."""

from __future__ import annotations

from typing import Any

from babel.lists import format_list
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm.attributes import set_committed_value

from service.contacts import operations as contacts
from service.content import queries
from service.db import utcnow
from service.keywords import Parsed
from service.messaging import replies
from service.messaging.replies import fit, fit_list
from service.reach.operations import month_of
from service.sms.context import CHANNEL, EVENTS_HORIZON, ConversationBase
from service.sms.finish import Consent


class MembershipCommands(ConversationBase):
    """NETWORKS, a picked number, a bare keyword, JOIN, YES to consent, LEAVE, NAME, DISCREET."""

    def _on_networks(self, parsed: Parsed, pending: Any) -> list[str]:
        return self._network_list(0)

    def _network_list(self, offset: int) -> list[str]:
        networks = self.networks()[offset:]
        if not networks:
            return [_("There are no groups yet.")]
        lines = [f"{offset + i + 1} {self.name(n)}" for i, n in enumerate(networks)]
        text, shown, more = fit_list(_("Groups:"), lines, _("Reply a number to hear more."))
        if more:
            text, shown, _more = fit_list(
                _("Groups:"),
                lines,
                _("Reply a number, or %(more)s for more.", more=self.w("more")),
            )
        self._set_list("networks", [n.id for n in self.networks()], offset + shown)
        return [text]

    def _on_about(self, parsed: Parsed, pending: Any) -> list[str]:
        network = self._network_from(parsed)
        return self._about(network) if network else [replies.not_understood(self.language)]

    def _about(self, network: queries.NetworkView) -> list[str]:
        nxt = queries.upcoming_occurrences(
            self.session,
            self.org.id,
            start=self.now,
            end=self.now + EVENTS_HORIZON,
            language=self.language,
            network_ids=[network.id],
            limit=1,
        )
        description = (
            network.short_description if not (network.sensitive and self.contact.discreet) else ""
        )
        join = f"{self.w('join')} {self.keyword(network)}"
        return [
            replies.network_about(
                self.name(network), description, nxt[0] if nxt else None, join, self.language
            )
        ]

    def _on_join(self, parsed: Parsed, pending: Any) -> list[str]:
        network = self._network_from(parsed)
        if network is None:
            return [self._which_network(parsed, "join")]
        if parsed.also:
            named = [network, *(self.keywords()[k] for k in parsed.also)]
            return self._join_several(list(dict.fromkeys(named)))
        if network.sensitive:
            yes = self._set_pending("consent", {"network_id": network.id})
            return [self._consent_question(network, yes)]
        # The network as the organisation's content shows it: not loaded again to join it.
        if not contacts.join_network(self.session, self.contact, network, channel=CHANNEL):
            return [_("You are already in %(name)s.", name=self.name(network))]
        return [
            fit(
                _(
                    "You have joined %(name)s. Text %(events)s for what's on, or %(leave)s "
                    "%(keyword)s to leave.",
                    name=self.name(network),
                    events=self.w("events"),
                    leave=self.w("leave"),
                    keyword=self.keyword(network),
                ),
                _("You have joined %(name)s.", name=self.name(network)),
            )
        ]

    def _join_several(self, networks: list[queries.NetworkView]) -> list[str]:
        """JOIN CARERS AND MINDS: open groups joined at once, one text naming them all.

        A sensitive group still asks its own consent question, alone in the next text (it
        needs its three segments); after YES the next sensitive group asks in turn.
        """
        joined, already = [], []
        for network in (n for n in networks if not n.sensitive):
            created = contacts.join_network(self.session, self.contact, network, channel=CHANNEL)
            (joined if created else already).append(self.name(network))
        texts = []
        if joined:
            texts.append(_("You have joined %(name)s.", name=self._names(joined)))
        if already:
            texts.append(_("You are already in %(name)s.", name=self._names(already)))
        asking = [n.id for n in networks if n.sensitive]
        if asking:
            texts.append(self._ask_consent(asking))
        return [" ".join(texts[:-1]), texts[-1]] if len(texts) > 2 else texts

    def _names(self, names: list[str]) -> str:
        """Group names as a list in the member's language: "Carers and Careers"."""
        return format_list(names, locale=self.language)

    def _ask_consent(self, network_ids: list[int]) -> str:
        """The consent question for the first of these groups; YES to it asks the next."""
        network = next(n for n in self.networks() if n.id == network_ids[0])
        yes = self._set_pending("consent", {"network_id": network.id, "then": network_ids[1:]})
        return self._consent_question(network, yes)

    def _consent_question(self, network: queries.NetworkView, yes: str) -> str:
        values = {
            "name": self.name(network),
            "yes": yes,
            "leave": f"{self.w('leave')} {self.keyword(network)}",
        }
        return fit(
            _(
                "%(name)s: being a member can show something personal about you. We keep your "
                "number (encrypted) and that you joined. Only the organisers see it, never your "
                "manager. Leave any time: %(leave)s. Reply %(yes)s to join.",
                **values,
            ),
            _(
                "%(name)s: membership can show something personal. We keep your number "
                "(encrypted); only organisers see it. Leave: %(leave)s. Join? Reply %(yes)s.",
                **values,
            ),
            segments=replies.CONSENT_SEGMENTS,
        )

    def _join_with_consent(self, network_id: int) -> list[str]:
        network = next((n for n in self.networks() if n.id == network_id), None)
        if network is None:
            return [replies.nothing_to_confirm(self.language)]
        if self.consent_as_read is not None:
            self._consent_as_read(network, *self.consent_as_read)
        else:
            created = contacts.join_with_consent(
                self.session,
                self.contact,
                network,
                channel=CHANNEL,
                consent_version=contacts.CONSENT_VERSION,
            )
            if not created:
                # Already a member: perhaps by a YES sent at once and read before this one
                # wrote (YES is answered before the write lock), whose join made texts discreet.
                # Read again now the membership's key has settled it, so this answer never
                # names it.
                self.session.refresh(self.contact, ["discreet"])
        values = {"discreet": network.discreet_name, "name_word": self.w("name")}
        return [
            fit(
                _(
                    'You have joined. Our texts will call the group "%(discreet)s" so nobody '
                    "reading your phone can tell. Reply %(name_word)s if texts may use its real "
                    "name.",
                    **values,
                )
                if self.contact.discreet
                else _("You have joined %(name)s.", name=self.name(network)),
                _(
                    'You have joined. Texts will say "%(discreet)s". Reply %(name_word)s to use '
                    "the real name.",
                    **values,
                ),
            )
        ]

    def _consent_as_read(
        self, network: queries.NetworkView, network_ids: list[int], version: str
    ) -> None:
        """The join as contacts.join_with_consent would make it of the contact as read.

        Written with the text's last writes, and only if the contact is still as read (else
        the text is answered again): a new membership, and discretion for a first sensitive one.
        """
        if self.consent is not None:
            raise RuntimeError("one consent a text")
        sensitive = {n.id for n in self.networks() if n.sensitive}
        others = any(i in sensitive for i in network_ids if i != network.id)
        created = network.id not in network_ids
        discreet = self.contact.discreet or (created and network.sensitive and not others)
        # Shown in this answer; the row says so once the statement writes it.
        set_committed_value(self.contact, "discreet", discreet)
        self.consent = Consent(
            network_id=network.id,
            channel=CHANNEL,
            consent_version=contacts.CONSENT_VERSION,
            contact_version=version,
            other_sensitive=others,
            discreet=discreet,
            month=month_of(self.org, utcnow()),  # as reach.count_reach's
            organisation_id=self.contact.organisation_id,
            site_id=self.contact.site_id or 0,
        )

    def _which_network(self, parsed: Parsed, command: str) -> str:
        if parsed.unknown_argument:
            return fit(
                _(
                    'I do not know the group "%(word)s". Text %(networks)s to see them all.',
                    word=parsed.unknown_argument[:20],
                    networks=self.w("networks"),
                )
            )
        if parsed.number is not None:
            return replies.no_such_number(parsed.number, self.language)
        return _(
            "Which group? Text %(networks)s to see them, then %(command)s and its name.",
            networks=self.w("networks"),
            command=self.w(command),
        )

    def _on_leave(self, parsed: Parsed, pending: Any) -> list[str]:
        network = self._network_from(parsed)
        if network is None:
            return [self._which_network(parsed, "leave")]
        if contacts.leave_network(self.session, self.contact, network.id, channel=CHANNEL):
            return [_("You have left %(name)s.", name=self.name(network))]
        return [_("You were not in %(name)s.", name=self.name(network))]

    def _on_leave_all(self, parsed: Parsed, pending: Any) -> list[str]:
        count = contacts.leave_all(self.session, self.contact, channel=CHANNEL)
        if count == 0:
            return [_("You are not in any groups.")]
        # Plural forms come from each catalog: Polish and Romanian have three.
        return [
            ngettext(
                "You have left your group.",
                "You have left all %(num)d of your groups.",
                count,
            )
        ]

    def _on_name(self, parsed: Parsed, pending: Any) -> list[str]:
        contacts.set_discreet(self.session, self.contact, False)
        return [_("OK, our texts will use the groups' real names.")]

    def _on_discreet(self, parsed: Parsed, pending: Any) -> list[str]:
        contacts.set_discreet(self.session, self.contact, True)
        return [_("OK, our texts will keep private groups' names private.")]
