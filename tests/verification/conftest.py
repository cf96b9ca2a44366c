"""Helpers for the code step: read the code a person was texted, as their phone would."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from service.crypto import Vault
from service.outbox.models import OutboundMessage


def texts_to(session, vault: Vault, contact_id: int) -> list[str]:
    """Every text written for a contact, oldest first, decrypted."""
    rows = session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.contact_id == contact_id)
        .order_by(OutboundMessage.id)
    ).all()
    return [vault.decrypt(r.body_encrypted) for r in rows]


def code_in(text: str) -> str:
    """The six-digit code in a text."""
    found = re.search(r"\b(\d{6})\b", text)
    assert found, f"no code in {text!r}"
    return found.group(1)


@pytest.fixture
def org(demo):
    """The demo council."""
    return demo
