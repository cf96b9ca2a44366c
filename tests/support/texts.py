"""Read the texts a person was sent, as their phone would."""

from __future__ import annotations

import re

from sqlalchemy import or_, select

from service.contacts.models import Contact
from service.crypto import Vault
from service.outbox.models import OutboundMessage


def texts_to(session, vault: Vault, who: int | str) -> list[str]:
    """Every text written for a contact (by id) or a number (E.164), oldest first, decrypted.

    A number's texts include those queued before it was a contact (codes, "text me this").
    """
    if isinstance(who, int):
        match = OutboundMessage.contact_id == who
    else:
        contacts = select(Contact.id).where(Contact.phone_index.in_(vault.blind_indexes(who)))
        match = or_(
            OutboundMessage.to_index.in_(vault.blind_indexes(who)),
            OutboundMessage.contact_id.in_(contacts),
        )
    rows = session.scalars(select(OutboundMessage).where(match).order_by(OutboundMessage.id)).all()
    return [vault.decrypt(r.body_encrypted) for r in rows]


def code_in(text: str) -> str:
    """The six-digit code in a text."""
    found = re.search(r"\b(\d{6})\b", text)
    assert found, f"no code in {text!r}"
    return found.group(1)
