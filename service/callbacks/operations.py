"""Ask for a call back."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.callbacks.models import CallbackRequest
from service.contacts.models import Contact


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
    return row, True
