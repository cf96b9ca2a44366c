"""State and lookups shared by every part of the SMS conversation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, update
from sqlalchemy import inspect as inspect_row
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.base import NO_VALUE

from service.contacts import operations as contacts
from service.contacts.models import Contact
from service.content import queries
from service.db import Prepared
from service.keywords import Parsed
from service.messaging import replies
from service.messaging.replies import word
from service.organisations.models import Organisation
from service.sms.finish import Consent
from service.sms.models import ConversationState
from service.verification.by_reply import new_reply_number

_STATE_COLUMNS = tuple(c.key for c in ConversationState.__table__.columns)
# What a new state must hold to be worth a row: a list or an open question.
_STATE_KEPT = ("list_kind", "list_items", "list_offset", "pending_kind", "pending_payload")
# Built once: the columns set are the parameters given (building the statement cost more than
# running it, on nearly every text).
# A new state is upserted: with no row kept for an empty state (a first HELP), a member's two
# texts at once may both find none (a reading command reads before any lock), and the later
# one's state takes the place of the earlier's, as an update would, not an IntegrityError.
_STATE_TABLE = ConversationState.__table__


def _upsert_state(insert_of: Any) -> Any:
    statement = insert_of(_STATE_TABLE)
    return statement.on_conflict_do_update(
        index_elements=["contact_id"],
        set_={c.key: statement.excluded[c.key] for c in _STATE_TABLE.columns if not c.primary_key},
    )


_INSERT_STATE = {
    "sqlite": Prepared(_upsert_state(sqlite_insert)),
    "postgresql": Prepared(_upsert_state(pg_insert)),
}
_UPDATE_STATE = Prepared(
    update(ConversationState.__table__).where(
        ConversationState.__table__.c.contact_id == bindparam("state_of")
    )
)
# A question ("Reply YES") stays open this long; after it a YES means nothing.
PENDING_TTL = dt.timedelta(minutes=30)
CHANNEL = "sms"
# How far ahead EVENTS and a group's "next" look.
EVENTS_HORIZON = dt.timedelta(days=21)


class ConversationBase:
    """One inbound text from one contact: the contact, their state and the content they see."""

    def __init__(
        self,
        session: Session,
        org: Organisation,
        contact: Contact,
        now: dt.datetime,
        *,
        state: ConversationState | None = None,
        state_known: bool = False,
        network_ids: list[int] | None = None,
    ) -> None:
        self.session = session
        self.org = org
        self.contact = contact
        self.now = now
        self.zone = ZoneInfo(org.timezone)
        # state_known: the caller read the state with the contact (None: there is none yet).
        if not state_known:
            state = session.get(ConversationState, contact.id)
        if state is not None and state in session:
            # Kept out of the session: no read in between flushes it (see save_state).
            session.expunge(state)
        self.state = state or ConversationState(contact_id=contact.id)
        self._networks: list[queries.NetworkView] | None = None
        # network_ids: the contact's networks, read with the contact by a caller that knows
        # this text changes none of them (None: asked of the database when needed).
        self._member_network_ids = network_ids
        # Called before FORGET ME erases the contact (see service.sms.operations).
        self.before_erasure: Callable[[], None] | None = None
        # PostgreSQL: a YES's join waits for the text's last statement, and its answer is given
        # from the contact as read (its networks and row version: see service.sms.finish).
        self.consent_as_read: tuple[list[int], str] | None = None
        self.consent: Consent | None = None
        # A text answered before its contact's row is locked: writes to rows that other texts
        # share (the month's tally of support requests) wait here until it is, as every write
        # about a member follows that lock; run by service.sms.operations. None: at once.
        self.after_contact_locked: list[Callable[[], None]] | None = None

    # -- shared lookups -------------------------------------------------------------------

    @property
    def language(self) -> str:
        """The contact's language."""
        return self.contact.language

    def networks(self) -> list[queries.NetworkView]:
        """The organisation's networks in the contact's language."""
        if self._networks is None:
            self._networks = queries.networks(self.session, self.org.id, self.language)
        return self._networks

    def member_network_ids(self) -> list[int]:
        """The ids of the networks the contact belongs to."""
        if self._member_network_ids is not None:
            return list(self._member_network_ids)
        return contacts.member_network_ids(self.session, self.contact)

    def keywords(self) -> dict[str, queries.NetworkView]:
        """Every keyword of every network, in every language."""
        return {k: n for n in self.networks() for k in n.keywords}

    def name(self, network: queries.NetworkView) -> str:
        """A network's name as this contact may see it (discreet for sensitive networks)."""
        return network.display_name(discreet=self.contact.discreet)

    def keyword(self, network: queries.NetworkView) -> str:
        """The keyword to show; a discreet contact never sees a sensitive network's keyword."""
        if network.sensitive and self.contact.discreet:
            return str(self.networks().index(network) + 1)
        return network.typeable_keyword()

    def w(self, command: str) -> str:
        """A command word in the contact's language."""
        return word(command, self.language)

    # -- conversation state ---------------------------------------------------------------

    def save_state(self) -> None:
        """Write what this text changed in the conversation state: one statement, or none.

        The state is the member's own row and changes on nearly every text; written by Core at
        the end, it costs one statement and no unit of work, where the ORM flushed it at the
        first read after each change. Nothing is written for a contact this text erased.
        """
        write = self.state_write()
        if write is None:
            return
        new, values = write
        if new:
            _INSERT_STATE[self.session.get_bind().dialect.name].rowcount(self.session, values)
        else:
            _UPDATE_STATE.rowcount(self.session, {"state_of": self.state.contact_id, **values})

    def state_write(self) -> tuple[bool, dict[str, Any]] | None:
        """What save_state would write: (True, a new row's values) or (False, the changed ones).

        None: nothing (no change, an empty new state, or a contact this text erased).
        """
        if self.contact not in self.session:
            return None
        found = inspect_row(self.state)
        if found.key is None:
            # New: what was set, as the ORM would insert it (the rest from column defaults).
            values = {key: found.dict[key] for key in _STATE_COLUMNS if key in found.dict}
            # Else nothing to keep (a first HELP, say): no row reads the same as an empty one.
            return (True, values) if any(values.get(key) for key in _STATE_KEPT) else None
        # Set since it was read, to another value: what the ORM's history would say, without
        # building a history for every column (committed_state holds only what was set).
        changed = {
            key: found.dict[key]
            for key, before in found.committed_state.items()
            if key in _STATE_COLUMNS and (before is NO_VALUE or before != found.dict[key])
        }
        return (False, changed) if changed else None

    def _take_pending(self) -> tuple[str, dict[str, Any]] | None:
        kind, payload = self.state.pending_kind, self.state.pending_payload or {}
        self.state.pending_kind = self.state.pending_payload = None
        fresh = self.state.updated_at is None or self.now - self.state.updated_at <= PENDING_TTL
        return (kind, payload) if kind and fresh else None

    def _set_pending(self, kind: str, payload: dict[str, Any]) -> str:
        """Open a question that YES answers; the "YES 4821" words the question must show.

        The one-off number stays with the question: a YES that carries a number confirms only
        the question that showed it, so no other request can take the member's answer.
        """
        nonce = new_reply_number()
        self.state.pending_kind, self.state.pending_payload = kind, {**payload, "nonce": nonce}
        self.state.updated_at = self.now
        return f"{self.w('yes')} {nonce}"

    def _set_list(self, kind: str, items: list[Any], offset: int = 0) -> None:
        self.state.list_kind, self.state.list_items, self.state.list_offset = kind, items, offset
        self.state.updated_at = self.now

    def _list_item(self, kind: str, number: int | None) -> Any | None:
        if self.state.list_kind != kind or number is None:
            return None
        items = self.state.list_items or []
        return items[number - 1] if 1 <= number <= len(items) else None

    def _network_from(self, parsed: Parsed) -> queries.NetworkView | None:
        if parsed.network is not None:
            return self.keywords().get(parsed.network)
        item = self._list_item("networks", parsed.number)
        return next((n for n in self.networks() if n.id == item), None)

    # -- crisis ---------------------------------------------------------------------------

    def crisis_reply(self, language: str) -> str:
        """The crisis line, in the language given: the whole answer to a text in crisis."""
        return replies.crisis_in(self.session, self.org.id, language)
