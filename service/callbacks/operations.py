"""Ask for a call back, and work through the requests in the console."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from service.callbacks.models import CallbackRequest
from service.contacts.models import Contact
from service.contacts.phone import callable_number, masked
from service.content.models import Network
from service.crypto import vault_of
from service.errors import DomainError, NotFound
from service.managers.models import Manager
from service.managers.permissions import can, can_everywhere
from service.organisations.models import OrganisationNumber
from service.reach.operations import count_reach

if TYPE_CHECKING:  # the core never imports twilio; only the gateway's type is needed here
    from service.twilio_gateway import Transport


def request_callback(
    session: Session, contact: Contact, *, network_id: int | None, channel: str
) -> tuple[CallbackRequest, bool]:
    """An open callback request for the contact and network; the flag says if it is new."""
    existing = session.scalar(
        select(CallbackRequest).where(
            CallbackRequest.contact_id == contact.id,
            CallbackRequest.network_id.is_(None)
            if network_id is None
            else CallbackRequest.network_id == network_id,
            CallbackRequest.status == "open",
        )
    )
    if existing is not None:
        return existing, False
    row = CallbackRequest(
        organisation_id=contact.organisation_id,
        contact_id=contact.id,
        network_id=network_id,
        channel=channel,
    )
    session.add(row)
    session.flush()
    # Only a new request counts: asking again while one is open is the same request.
    count_reach(
        session,
        contact.organisation_id,
        measure="callback",
        channel=channel,
        network_id=network_id,
        site_id=contact.site_id,
    )
    return row, True


# -- the console's queue -------------------------------------------------------------------------

OPEN, DONE = "open", "done"
ACTION = "callbacks.handle"
# Done requests stay in view this long, so a lead can see what a colleague already handled.
RECENTLY_DONE = dt.timedelta(days=30)
ORGANISATION_WIDE = "Organisation-wide (no network)"
# The bridge URL is fetched when the lead answers: Twilio rings for at most a minute or so.
BRIDGE_TOKEN_SECONDS = 300
_BRIDGE_SALT = "frontline-callback-bridge"


class NotAllowed(DomainError):
    """The manager's roles do not reach this request's network."""


class NotOpen(DomainError):
    """The request is done already; there is nobody left to call."""


class NoRingPhone(DomainError):
    """The lead has not told us which phone to ring first."""


class NoVoiceNumber(DomainError):
    """The organisation has no number that can place calls."""


@dataclass(frozen=True)
class QueueEntry:
    """One request as the console lists it: never with the full number."""

    request: CallbackRequest
    network_name: str
    masked_number: str


@dataclass(frozen=True)
class Queue:
    """Open requests grouped by network (oldest first), then those done lately."""

    groups: list[tuple[str, list[QueueEntry]]]
    done: list[QueueEntry]
    closers: dict[int, str]


def may_handle(manager: Manager, row: CallbackRequest) -> bool:
    """True when the manager may see and act on this request."""
    if row.organisation_id != manager.organisation_id:
        return False
    if row.network_id is None:
        # can() reads "no network" as "anywhere", which would let a lead of one network into
        # requests for the whole organisation: those belong to roles not scoped to a network.
        return can_everywhere(manager, ACTION)
    return can(manager, ACTION, network_id=row.network_id)


def request_for(session: Session, manager: Manager, callback_id: int) -> CallbackRequest:
    """The request, if it is the manager's to handle; NotFound or NotAllowed otherwise."""
    row = session.get(CallbackRequest, callback_id)
    if row is None or row.organisation_id != manager.organisation_id:
        raise NotFound("no such call-back request")
    if not may_handle(manager, row):
        raise NotAllowed("that request belongs to another network")
    return row



def number_of(session: Session, row: CallbackRequest) -> str:
    """The member's full E.164 number: only for a reveal (audited) or the bridge's TwiML."""
    contact = session.get_one(Contact, row.contact_id)
    return vault_of(session).decrypt(contact.phone_encrypted)


def queue_for(session: Session, manager: Manager, now: dt.datetime) -> Queue:
    """The requests this manager handles: open ones grouped by network, then recently done."""
    networks = session.scalars(
        select(Network).where(Network.organisation_id == manager.organisation_id)
    ).all()
    allowed = [n.id for n in networks if can(manager, ACTION, network_id=n.id)]
    names = {n.id: n.name for n in networks}
    scope = [CallbackRequest.network_id.in_(allowed)]
    if can_everywhere(manager, ACTION):
        scope.append(CallbackRequest.network_id.is_(None))
    mine = select(CallbackRequest).where(
        CallbackRequest.organisation_id == manager.organisation_id, or_(*scope)
    )
    open_rows = session.scalars(
        mine.where(CallbackRequest.status == OPEN).order_by(
            CallbackRequest.created_at, CallbackRequest.id
        )
    ).all()
    done_rows = session.scalars(
        mine.where(
            CallbackRequest.status == DONE, CallbackRequest.closed_at >= now - RECENTLY_DONE
        ).order_by(CallbackRequest.closed_at.desc(), CallbackRequest.id.desc())
    ).all()

    def entry(row: CallbackRequest) -> QueueEntry:
        name = names.get(row.network_id or 0, ORGANISATION_WIDE)
        return QueueEntry(row, name, masked(number_of(session, row)))

    groups: dict[str, list[QueueEntry]] = {}
    for row in open_rows:
        item = entry(row)
        groups.setdefault(item.network_name, []).append(item)
    # Networks by name; the organisation-wide requests (admins only) after them.
    order = sorted(groups, key=lambda name: (name == ORGANISATION_WIDE, name.lower()))
    closer_ids = {r.closed_by for r in done_rows if r.closed_by is not None}
    closers = {
        m.id: m.display_name or m.email
        for m in session.scalars(select(Manager).where(Manager.id.in_(closer_ids)))
    }
    return Queue([(name, groups[name]) for name in order], [entry(r) for r in done_rows], closers)


def close_request(
    session: Session, manager: Manager, row: CallbackRequest, now: dt.datetime
) -> bool:
    """Mark the request done; False (and nothing changed) when it was done already."""
    if row.status == DONE:
        return False
    row.status, row.closed_at, row.closed_by = DONE, now, manager.id
    session.flush()
    return True


# -- the lead's phone and the bridged call ---------------------------------------------------------


def set_ring_phone(
    session: Session, manager: Manager, raw: str, *, regions: frozenset[str] | None
) -> str:
    """Store (encrypted) the phone the service rings first for this lead; its E.164 form.

    The organisation pays for that call: a premium, shared-cost or foreign number is refused.
    """
    e164 = callable_number(raw, regions)
    manager.phone_encrypted = vault_of(session).encrypt(e164)
    session.flush()
    return e164


def ring_phone(session: Session, manager: Manager) -> str | None:
    """The lead's own phone for call-backs, or None when they have not set one."""
    if not manager.phone_encrypted:
        return None
    return vault_of(session).decrypt(manager.phone_encrypted)


def voice_number(session: Session, organisation_id: int) -> str:
    """The organisation's number that calls come from (its first voice number)."""
    number = session.scalar(
        select(OrganisationNumber.e164)
        .where(
            OrganisationNumber.organisation_id == organisation_id,
            OrganisationNumber.voice.is_(True),
        )
        .order_by(OrganisationNumber.id)
    )
    if number is None:
        raise NoVoiceNumber("the organisation has no voice number to call from")
    return number


def bridge_token(secret: str, callback_id: int) -> str:
    """A signed, short-lived token naming the request (a URL carries this, never a number)."""
    return URLSafeTimedSerializer(secret, salt=_BRIDGE_SALT).dumps(callback_id)


def bridge_callback_id(
    secret: str, token: str, *, max_age: int = BRIDGE_TOKEN_SECONDS
) -> int | None:
    """The request a bridge token names, or None when it is forged, tampered with or old."""
    try:
        value = URLSafeTimedSerializer(secret, salt=_BRIDGE_SALT).loads(token, max_age=max_age)
    except BadData:
        return None
    return value if isinstance(value, int) else None


def place_callback(
    session: Session,
    manager: Manager,
    row: CallbackRequest,
    transport: Transport,
    *,
    answer_url: Callable[[str], str],
    secret: str,
    now: dt.datetime,
) -> str:
    """Ring the lead's phone from the organisation's number; on answer Twilio bridges the member.

    Returns Twilio's call SID. Transport errors (SendError) leave the request as it was.
    """
    if row.status != OPEN:
        raise NotOpen("that request is done already")
    # No opt-out check: STOP ends texts, and the member asked for this very call. An erased
    # member's requests are deleted with them, so there is never anyone to call who left.
    lead = ring_phone(session, manager)
    if lead is None:
        raise NoRingPhone("set the phone we should ring first")
    caller_id = voice_number(session, row.organisation_id)
    url = answer_url(bridge_token(secret, row.id))
    # End the read transaction before talking to Twilio: on SQLite it holds the write lock,
    # and a slow answer from Twilio must not stall every other writer.
    session.commit()
    sid = transport.place_call(to=lead, from_=caller_id, url=url, status_callback=None)
    row.callback_call_sid = sid
    row.attempts += 1
    row.last_attempt_at = now
    session.flush()
    return sid
