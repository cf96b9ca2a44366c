"""Everything held about one contact: counted before erasure, exported on request."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from service.callbacks.models import CallbackRequest
from service.contacts.models import Contact, Membership
from service.content.models import Event, Network
from service.crypto import vault_of
from service.organisations.models import Organisation, Site
from service.outbox.models import FINISHED, OutboundMessage
from service.privacy.registry import Holding, holders, stamp
from service.rsvps.models import Rsvp
from service.verification.models import PendingAction

# What an export says it leaves out, so the person knows where else to ask.
NOT_INCLUDED = (
    "Counts of how many people joined, left or asked for help each month. They say nothing "
    "about who, so they are not about you and stay after erasure.",
    "Twilio, the phone company the service uses, keeps its own logs of texts and calls "
    "(your number, times and, for texts, the words) for its own retention period.",
)


def holdings(session: Session, contact: Contact) -> list[Holding]:
    """How many rows of each kind are held about the contact (shown before erasing)."""

    def count(model: Any, *where: Any) -> int:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    texts, codes = _texts_of(session, contact), _codes_of(session, contact)
    pending = OutboundMessage.status.not_in(FINISHED | {"sent"})
    rows = [
        ("contact", "Phone number and settings", 1),
        (
            "memberships",
            "Network memberships (with consent records)",
            count(Membership, Membership.contact_id == contact.id),
        ),
        ("rsvps", "Event RSVPs", count(Rsvp, Rsvp.contact_id == contact.id)),
        (
            "outbox_pending",
            "Texts waiting to be sent",
            count(OutboundMessage, texts, pending),
        ),
        (
            "outbox_done",
            "Texts sent (kept for the retention period)",
            count(OutboundMessage, texts, ~pending),
        ),
        (
            "callbacks",
            "Call-back requests",
            count(CallbackRequest, CallbackRequest.contact_id == contact.id),
        ),
        (
            "recordings",
            "Voicemails (also deleted at Twilio)",
            count(
                CallbackRequest,
                CallbackRequest.contact_id == contact.id,
                CallbackRequest.recording_sid.is_not(None),
            ),
        ),
    ]
    codes_row = Holding(
        "codes", "Codes texted for kiosk or web requests", count(PendingAction, codes)
    )
    # The channels' rows (texts received, calls) come from their holders, before the codes.
    theirs = [held for holder in holders() for held in holder.holdings(session, contact)]
    return [*(Holding(kind, label, n) for kind, label, n in rows), *theirs, codes_row]


def _held_for(session: Session, contact: Contact, model: Any, index: Any) -> Any:
    # Codes and "text me this" to the number before a code proved it are held by its index.
    indexes = vault_of(session).blind_indexes(contact.phone)
    return or_(
        model.contact_id == contact.id,
        (model.organisation_id == contact.organisation_id) & index.in_(indexes),
    )


def _texts_of(session: Session, contact: Contact) -> Any:
    return _held_for(session, contact, OutboundMessage, OutboundMessage.to_index)


def _codes_of(session: Session, contact: Contact) -> Any:
    return _held_for(session, contact, PendingAction, PendingAction.phone_index)


def subject_access(session: Session, contact: Contact, now: dt.datetime) -> dict[str, Any]:
    """Everything held about the contact, decrypted, as plain JSON-ready values."""
    vault = vault_of(session)
    org = session.get_one(Organisation, contact.organisation_id)
    site = session.get(Site, contact.site_id) if contact.site_id else None
    networks = {
        n.id: n for n in session.scalars(select(Network).where(Network.organisation_id == org.id))
    }

    def network_name(network_id: int | None) -> str | None:
        network = networks.get(network_id) if network_id is not None else None
        return network.name if network is not None else None

    memberships = session.scalars(
        select(Membership).where(Membership.contact_id == contact.id).order_by(Membership.id)
    ).all()
    rsvps = session.execute(
        select(Rsvp, Event.title)
        .join(Event, Event.id == Rsvp.event_id)
        .where(Rsvp.contact_id == contact.id)
        .order_by(Rsvp.id)
    ).all()
    outbox = session.scalars(
        select(OutboundMessage).where(_texts_of(session, contact)).order_by(OutboundMessage.id)
    ).all()
    requests = session.scalars(
        select(CallbackRequest)
        .where(CallbackRequest.contact_id == contact.id)
        .order_by(CallbackRequest.id)
    ).all()
    codes = session.scalars(
        select(PendingAction).where(_codes_of(session, contact)).order_by(PendingAction.id)
    ).all()
    return {
        "organisation": org.name,
        "prepared_at": now.isoformat(),
        "contact": {
            "phone": contact.phone,
            "language": contact.language,
            "discreet": contact.discreet,
            "opted_out_at": stamp(contact.opted_out_at),
            "unusable_at": stamp(contact.unusable_at),
            "site": site.name if site else None,
            "first_seen_at": stamp(contact.created_at),
            "last_seen_at": stamp(contact.last_seen_at),
        },
        "memberships": [
            {
                "network": network_name(m.network_id),
                "sensitive": bool(networks[m.network_id].sensitive)
                if m.network_id in networks
                else False,
                "joined_at": stamp(m.joined_at),
                "channel": m.channel,
                "consent": {
                    "wording_version": m.consent_version,
                    "given_at": stamp(m.consent_at),
                    "channel": m.consent_channel,
                }
                if m.consent_version
                else None,
            }
            for m in memberships
        ],
        "rsvps": [
            {
                "event": title,
                "occurrence_start": stamp(r.occurrence_start),
                "channel": r.channel,
                "created_at": stamp(r.created_at),
            }
            for r, title in rsvps
        ],
        "texts_sent": [
            {
                "kind": m.kind,
                "body": vault.decrypt(m.body_encrypted),
                "language": m.language,
                "status": m.status,
                "not_sent_because": m.skip_reason,
                "created_at": stamp(m.created_at),
                "sent_at": stamp(m.sent_at),
                "finished_at": stamp(m.finished_at),
            }
            for m in outbox
        ],
        "callback_requests": [
            {
                "network": network_name(r.network_id),
                "channel": r.channel,
                "status": r.status,
                "created_at": stamp(r.created_at),
                "closed_at": stamp(r.closed_at),
                "language": r.language,
                "good_time_to_call": r.good_time,
                "outcome": r.outcome,
                "notes": vault.decrypt(r.notes_encrypted) if r.notes_encrypted else "",
                "call_attempts": r.attempts,
                "voicemail_seconds": r.recording_seconds,
                "voicemail_held_at_twilio": r.recording_sid is not None,
            }
            for r in requests
        ],
        "codes": [
            {
                "action": a.action,
                "channel": a.channel,
                "network": network_name(a.network_id),
                "consent_wording_version": a.consent_version,
                "created_at": stamp(a.created_at),
                "expires_at": stamp(a.expires_at),
                "completed_at": stamp(a.completed_at),
            }
            for a in codes
        ],
        # The channels' sections: texts received, calls, where the conversation stands.
        **{k: v for holder in holders() for k, v in holder.export(session, contact, vault).items()},
        "not_included": list(NOT_INCLUDED),
    }
