"""SMS commands about events: what's on, details, GOING and NOT GOING."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from flask_babel import gettext as _

from service.content import queries
from service.keywords import Parsed
from service.messaging import replies
from service.messaging.replies import fit, fit_list
from service.rsvps.operations import EventFull, cancel_rsvp, rsvp
from service.sms.context import CHANNEL, EVENTS_HORIZON, ConversationBase


class EventCommands(ConversationBase):
    """EVENTS [group|ALL], a picked number, GOING n / YES n, NOT GOING n."""

    def _on_events(self, parsed: Parsed, pending: Any) -> list[str]:
        network = self._network_from(parsed) if parsed.network or parsed.number else None
        if (parsed.network or parsed.number) and network is None:
            return [self._which_network(parsed, "events")]
        return self._event_list(network, 0, everything=parsed.everything)

    def _event_list(
        self, network: queries.NetworkView | None, offset: int, *, everything: bool = False
    ) -> list[str]:
        if offset and self.state.list_items:
            occurrences = self._occurrences(self.state.list_items)
        else:
            if network is not None:
                ids: list[int] | None = [network.id]
            else:
                mine = self.member_network_ids()
                ids = mine if mine and not everything else None
            occurrences = queries.upcoming_occurrences(
                self.session,
                self.org.id,
                start=self.now,
                end=self.now + EVENTS_HORIZON,
                language=self.language,
                network_ids=ids,
                limit=30,
            )
        if not occurrences:
            return [
                _(
                    "Nothing is planned in the next three weeks. Text %(networks)s to find groups.",
                    networks=self.w("networks"),
                )
            ]

        text, shown = self._listed(occurrences, offset)
        items = [[o.event_id, o.starts_at.isoformat()] for o in occurrences]
        self._set_list("events", items, offset + shown)
        return [text]

    def _listed(self, occurrences: list[queries.Occurrence], offset: int) -> tuple[str, int]:
        """The list text and how many it shows: fitted once per process for the same list."""
        # The text depends only on these (occurrences carry their titles, places and local
        # times): members who share groups and a language are sent the same list, so it is
        # fitted once, where counting segments line by line cost a fifth of an EVENTS text.
        key = (self.language, offset, tuple(occurrences))
        found = _LISTED.get(key)
        if found is None:
            # Where it is decides whether a shift worker can go, so every line says it: place
            # and site, else the site alone, and only when even one line cannot fit, no place.
            for where in (replies.where, _site_only, _nowhere):
                found = self._fit_events(occurrences, offset, where)
                if not found[0].endswith(replies.CUT):
                    break
            if len(_LISTED) >= _LISTED_MAX:
                _LISTED.clear()  # a publish or the clock moving on leaves old lists unused
            _LISTED[key] = found
        return found

    def _fit_events(
        self,
        occurrences: list[queries.Occurrence],
        offset: int,
        where: Callable[[queries.Occurrence], str],
    ) -> tuple[str, int]:
        """The list text with as many events as fit in two segments, and how many it shows."""

        def lines() -> Iterator[str]:
            for i, o in enumerate(occurrences[offset:]):
                when = replies.when_short(o.local_start, self.language)
                place = where(o)
                yield f"{offset + i + 1} {when} {o.title}" + (f" ({place})" if place else "")

        footer = _("Reply %(going)s and a number to say you will go.", going=self.w("going"))
        text, shown, more = fit_list(_("What's on:"), lines(), footer)
        if more:
            text, shown, _more = fit_list(
                _("What's on:"),
                lines(),
                _(
                    "%(going)s + number to go, %(more)s for more.",
                    going=self.w("going"),
                    more=self.w("more"),
                ),
            )
        return text, shown

    def _occurrences(self, items: list[Any]) -> list[queries.Occurrence]:
        """The listed occurrences, re-read so titles follow the current language."""
        starts = [dt.datetime.fromisoformat(start) for _, start in items]
        found = queries.upcoming_occurrences(
            self.session,
            self.org.id,
            start=min(starts),
            end=max(starts) + dt.timedelta(seconds=1),
            language=self.language,
            network_ids=None,
        )
        by_key = {(o.event_id, o.starts_at.isoformat()): o for o in found}
        return [by_key[(eid, start)] for eid, start in items if (eid, start) in by_key]

    def _event_at(self, number: int | None) -> queries.Occurrence | None:
        item = self._list_item("events", number)
        if item is None:
            return None
        found = self._occurrences([item])
        return found[0] if found else None

    def _event_details(self, number: int | None) -> list[str]:
        occurrence = self._event_at(number)
        if occurrence is None:
            return [replies.no_such_number(number or 0, self.language)]
        return [replies.event_details(occurrence, number or 0, self.language)]

    def _on_going(self, parsed: Parsed, pending: Any) -> list[str]:
        occurrence = self._event_at(parsed.number)
        if occurrence is None:
            return [self._no_event(parsed)]
        try:
            _row, created = rsvp(
                self.session, self.contact, occurrence.event_id, occurrence.starts_at, CHANNEL
            )
        except EventFull:
            return [_("Sorry, %(title)s is full.", title=occurrence.title)]
        place = replies.where(occurrence)
        values = {
            "title": occurrence.title,
            "when": replies.when_short(occurrence.local_start, self.language),
            "where": place,
            "not_going": self.w("not_going"),
            "n": parsed.number,
        }
        if not created:
            return [_("You already said you are going to %(title)s, %(when)s.", **values)]
        if not place:
            return [
                fit(
                    _(
                        "See you at %(title)s, %(when)s. Text %(not_going)s %(n)d if you cannot "
                        "go.",
                        **values,
                    ),
                    _("See you at %(title)s, %(when)s.", **values),
                )
            ]
        return [
            fit(
                _(
                    "See you at %(title)s, %(when)s, %(where)s. Text %(not_going)s %(n)d if you "
                    "cannot go.",
                    **values,
                ),
                _("See you at %(title)s, %(when)s, %(where)s.", **values),
                lambda: replies.truncate(_("See you at %(title)s, %(when)s, %(where)s.", **values)),
            )
        ]

    def _on_not_going(self, parsed: Parsed, pending: Any) -> list[str]:
        occurrence = self._event_at(parsed.number)
        if occurrence is None:
            return [self._no_event(parsed)]
        cancel_rsvp(self.session, self.contact, occurrence.event_id, occurrence.starts_at)
        return [
            _(
                "OK, you are not going to %(title)s, %(when)s.",
                title=occurrence.title,
                when=replies.when_short(occurrence.local_start, self.language),
            )
        ]

    def _no_event(self, parsed: Parsed) -> str:
        if parsed.number is None:
            return _(
                "Which one? Text %(events)s, then %(going)s and its number.",
                events=self.w("events"),
                going=self.w("going"),
            )
        return replies.no_such_number(parsed.number, self.language)


# (language, offset, occurrences) -> (text, how many shown), per process.
_LISTED: dict[tuple[str, int, tuple[queries.Occurrence, ...]], tuple[str, int]] = {}
_LISTED_MAX = 512


def _site_only(occurrence: queries.Occurrence) -> str:
    return occurrence.site_name or occurrence.place


def _nowhere(occurrence: queries.Occurrence) -> str:
    return ""
