"""What a person can ask for (join, RSVP, call back), checked before asking and done once confirmed.

Shared by the code step (a code typed on the screen) and by questions confirmed by text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from service.callbacks.operations import request_callback
from service.contacts import operations as contacts
from service.contacts.models import Contact
from service.content import queries
from service.content.models import Network
from service.db import utcnow
from service.errors import NotFound, ValidationError
from service.organisations.models import Organisation
from service.outbox.operations import send_to_contact
from service.rsvps.operations import EventFull, rsvp
from service.verification import messages
from service.verification.models import PendingAction

# "prove" asks for nothing but the proof: a kiosk visit for a survey only members may answer.
ACTIONS = ("join", "rsvp", "callback", "prove")


@dataclass(frozen=True)
class Target:
    """What the person asked for: a network to join, an occurrence to go to, or a call back."""

    action: str
    network_id: int | None = None
    event_id: int | None = None
    occurrence_start: dt.datetime | None = None
    consent: bool = False
    good_time: str | None = None


@dataclass(frozen=True)
class Checked:
    """What a code attempt came to: done, already done, wrong, expired, locked or full."""

    status: str
    action: str = ""
    tries_left: int = 0
    network_id: int | None = None


def pending_action(target: Target, **fields: Any) -> PendingAction:
    """A pending action asking for what the target names; fields give the rest of the row."""
    return PendingAction(
        action=target.action,
        network_id=target.network_id,
        event_id=target.event_id,
        occurrence_start=target.occurrence_start,
        consent_version=contacts.CONSENT_VERSION if target.consent else None,
        good_time=target.good_time if target.action == "callback" else None,
        **fields,
    )


def check_target(
    session: Session, org: Organisation, target: Target, language: str
) -> tuple[Network | None, queries.Occurrence | None]:
    """The network and occurrence a target names; raises when it names nothing that exists."""
    if target.action not in ACTIONS:
        raise ValidationError("action", "unknown action")
    network = None
    if target.network_id is not None:
        network = session.get(Network, target.network_id)
        if network is None or network.organisation_id != org.id:
            raise NotFound("no such network")
    if target.action == "join":
        if network is None:
            raise ValidationError("network", "a network is required")
        if network.sensitive and not target.consent:
            raise contacts.ConsentRequired("joining needs the person's consent")
    occurrence = None
    if target.action == "rsvp":
        if target.event_id is None or target.occurrence_start is None:
            raise ValidationError("event", "an event and its date are required")
        occurrence = queries.find_occurrence(
            session, org.id, target.event_id, target.occurrence_start, language
        )
        if occurrence is None or occurrence.ends_at <= utcnow():
            raise NotFound("no such session")
    return network, occurrence


def _text_what_was_joined(
    session: Session, contact: Contact, network: Network, action: PendingAction
) -> None:
    if contact.opted_out_at is not None or contact.unusable_at is not None:
        return
    language = contact.language or action.language
    views = queries.networks(session, contact.organisation_id, language)
    view = next(v for v in views if v.id == network.id)
    send_to_contact(
        session,
        contact.id,
        contact.organisation_id,
        messages.joined_text(
            view, views.index(view) + 1, discreet=contact.discreet, language=language
        ),
        kind="self",
        dedupe_key=f"joined:{action.token}",
        language=language,
    )


def complete(session: Session, action: PendingAction, now: dt.datetime) -> Checked:
    """Do what a pending action asked for, now that its owner confirmed it."""
    contact = session.get_one(Contact, action.contact_id)
    # The site first, so what the action counts towards reach lands on the kiosk's site.
    if contact.site_id is None and action.site_id is not None:
        contact.site_id = action.site_id
    if action.action == "join":
        network = session.get_one(Network, action.network_id)
        if network.sensitive and action.consent_version:
            # As on SMS: discreet until the member says otherwise, the safe default.
            contacts.join_with_consent(
                session,
                contact,
                network,
                channel=action.channel,
                consent_version=action.consent_version,
            )
        else:
            contacts.join_network(
                session,
                contact,
                network,
                channel=action.channel,
                consent_version=action.consent_version,
            )
        if not action.by_reply:
            # A YES by text is answered in its conversation; a code typed on a screen is not.
            _text_what_was_joined(session, contact, network, action)
    elif action.action == "rsvp":
        assert action.event_id is not None and action.occurrence_start is not None
        try:
            rsvp(session, contact, action.event_id, action.occurrence_start, action.channel)
        except EventFull:
            action.completed_at = now
            return Checked("full", action.action)
    elif action.action == "prove":
        pass  # the matched code opens the visit (visits.py), which is all that was asked for
    else:
        request_callback(
            session,
            contact,
            network_id=action.network_id,
            channel=action.channel,
            site_id=action.site_id,
            language=action.language,
            good_time=action.good_time or "any",
        )
    action.completed_at = now
    return Checked("done", action.action, network_id=action.network_id)
