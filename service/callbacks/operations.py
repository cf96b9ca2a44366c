"""Ask for a call back, and work through the requests in the console."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.callbacks.models import CallbackRequest
from service.contacts.models import Contact
from service.contacts.phone import callable_number, masked
from service.content.models import Network
from service.crypto import vault_of
from service.errors import DomainError, NotFound
from service.managers.models import Manager, ManagerRole
from service.managers.permissions import ACTIONS
from service.organisations.models import OrganisationNumber, Site
from service.reach.operations import count_for_contact

if TYPE_CHECKING:  # the core never imports twilio; only the gateway's type is needed here
    from service.twilio_gateway import Transport


GOOD_TIMES = ("morning", "afternoon", "evening", "any")


def request_callback(
    session: Session,
    contact: Contact,
    *,
    network_id: int | None,
    channel: str,
    site_id: int | None = None,
    language: str | None = None,
    good_time: str = "any",
) -> tuple[CallbackRequest, bool]:
    """An open callback request for the contact and network; the flag says if it is new.

    Asking again while one is open keeps that request, with the newer good time to call.
    """
    good_time = good_time if good_time in GOOD_TIMES else "any"
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
        if good_time != "any":
            existing.good_time = good_time
        return existing, False
    row = CallbackRequest(
        organisation_id=contact.organisation_id,
        contact_id=contact.id,
        network_id=network_id,
        channel=channel,
        site_id=site_id or contact.site_id,
        language=language or contact.language or "en",
        good_time=good_time,
    )
    session.add(row)
    session.flush()
    # Only a new request counts: asking again while one is open is the same request.
    count_for_contact(session, contact, measure="callback", channel=channel, network_id=network_id)
    return row, True


def set_good_time(session: Session, row: CallbackRequest, good_time: str) -> None:
    """Record when the member said a call suits them (an unknown answer leaves it as it was)."""
    if good_time in GOOD_TIMES:
        row.good_time = good_time
        session.flush()


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


# How a call went. Some settle the request; after the others it stays open to try again.
OUTCOMES = ("reached", "no_answer", "left_message", "wrong_number", "not_needed")
SETTLES = frozenset({"reached", "wrong_number", "not_needed"})
MAX_NOTES = 2000


@dataclass(frozen=True)
class QueueEntry:
    """One request as the console lists it: never with the full number."""

    request: CallbackRequest
    network_name: str
    masked_number: str
    site_name: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Queue:
    """Open requests grouped by network (oldest first), then those done lately."""

    groups: list[tuple[str, list[QueueEntry]]]
    done: list[QueueEntry]
    closers: dict[int, str]


def role_reaches(role: ManagerRole, row: CallbackRequest, network: Network | None) -> bool:
    """True when this one role lets its holder see and act on the request.

    Admins and the support team: every request. A network lead: their network's. A site
    manager: their site's, except a sensitive network's (their line reports' membership of,
    say, an LGBT+ or disability network is not theirs to learn from a queue).
    """
    if role.role not in ACTIONS[ACTION]:
        return False
    if role.role in {"admin", "support_team"}:
        return True
    if role.role == "network_lead":
        return row.network_id is not None and role.network_id == row.network_id
    if role.role == "site_manager":
        sensitive = network is not None and network.sensitive
        return row.site_id is not None and role.site_id == row.site_id and not sensitive
    return False


def may_handle(manager: Manager, row: CallbackRequest, network: Network | None = None) -> bool:
    """True when the manager may see and act on this request (see role_reaches)."""
    if row.organisation_id != manager.organisation_id or manager.disabled_at is not None:
        return False
    network = network if network is not None else row.network
    return any(role_reaches(role, row, network) for role in manager.roles)


def request_for(session: Session, manager: Manager, callback_id: int) -> CallbackRequest:
    """The request, if it is the manager's to handle; NotFound or NotAllowed otherwise."""
    row = session.get(CallbackRequest, callback_id)
    if row is None or row.organisation_id != manager.organisation_id:
        raise NotFound("no such call-back request")
    if not may_handle(manager, row):
        raise NotAllowed("that request belongs to another network or site")
    return row


def number_of(session: Session, row: CallbackRequest) -> str:
    """The member's full E.164 number: only for a reveal (audited) or the bridge's TwiML."""
    contact = session.get_one(Contact, row.contact_id)
    return vault_of(session).decrypt(contact.phone_encrypted)


def notes_of(session: Session, row: CallbackRequest) -> str:
    """The handler's notes on a request, decrypted ("" when there are none)."""
    if not row.notes_encrypted:
        return ""
    return vault_of(session).decrypt(row.notes_encrypted)


def queue_for(session: Session, manager: Manager, now: dt.datetime) -> Queue:
    """The requests this manager handles: open ones grouped by network, then recently done."""
    networks = {
        n.id: n
        for n in session.scalars(
            select(Network).where(Network.organisation_id == manager.organisation_id)
        )
    }
    in_org = Site.organisation_id == manager.organisation_id
    sites = {s.id: s.name for s in session.scalars(select(Site).where(in_org))}
    everyone = select(CallbackRequest).where(
        CallbackRequest.organisation_id == manager.organisation_id
    )
    open_rows = session.scalars(
        everyone.where(CallbackRequest.status == OPEN).order_by(
            CallbackRequest.created_at, CallbackRequest.id
        )
    ).all()
    done_rows = session.scalars(
        everyone.where(
            CallbackRequest.status == DONE, CallbackRequest.closed_at >= now - RECENTLY_DONE
        ).order_by(CallbackRequest.closed_at.desc(), CallbackRequest.id.desc())
    ).all()

    def mine(rows):
        return [r for r in rows if may_handle(manager, r, networks.get(r.network_id or 0))]

    def entry(row: CallbackRequest) -> QueueEntry:
        network = networks.get(row.network_id or 0)
        return QueueEntry(
            row,
            network.name if network is not None else ORGANISATION_WIDE,
            masked(number_of(session, row)),
            sites.get(row.site_id or 0, ""),
            notes_of(session, row),
        )

    groups: dict[str, list[QueueEntry]] = {}
    for row in mine(open_rows):
        item = entry(row)
        groups.setdefault(item.network_name, []).append(item)
    # Networks by name; the organisation-wide requests after them.
    order = sorted(groups, key=lambda name: (name == ORGANISATION_WIDE, name.lower()))
    done_rows = mine(done_rows)
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


def record_outcome(
    session: Session, manager: Manager, row: CallbackRequest, outcome: str, now: dt.datetime
) -> bool:
    """Record how the call went; a settling outcome also marks it done. True when it closed."""
    if outcome not in OUTCOMES:
        raise DomainError("unknown outcome")
    if row.status == DONE:
        raise NotOpen("that request is done already")
    row.outcome = outcome
    if outcome in SETTLES:
        return close_request(session, manager, row, now)
    session.flush()
    return False


def set_notes(session: Session, row: CallbackRequest, text: str) -> None:
    """Replace the handler's notes on a request (stored encrypted; empty clears them)."""
    text = (text or "").strip()[:MAX_NOTES]
    row.notes_encrypted = vault_of(session).encrypt(text) if text else None
    session.flush()


def undo(session: Session, row: CallbackRequest) -> bool:
    """Take back "done" and the outcome: the request is open again. False if nothing to undo."""
    if row.status == OPEN and row.outcome is None:
        return False
    row.status, row.closed_at, row.closed_by, row.outcome = OPEN, None, None, None
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
