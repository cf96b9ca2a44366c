"""Erasure: a contact and every row about them go; only reach counts (of no one) remain."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service.contacts.models import Contact
from service.db import utcnow
from service.outbox import operations as outbox
from service.privacy.registry import holders
from service.privacy.twilio_erasure import owe_twilio
from service.verification import operations as verification


def erase_contact(session: Session, contact: Contact, *, locked: bool = False) -> str:
    """Erase the contact and every row about them; only reach counts (of no one) remain.

    Returns the reference of the deletions owed at Twilio, which leave with this transaction.
    locked: this transaction holds the contact's row already (FORGET ME's text marked it seen).
    """
    if not locked:
        # The contact's row first, as every request that writes about them locks it first: a
        # text under way that holds it commits before anything below is read, so its rows are
        # found and erased with the rest. Otherwise its inbound row, written after the unlink
        # below, kept its body and answer (which name the member's groups) once the contact's
        # delete, waiting on that lock, went through and only cut the link.
        session.execute(select(Contact.id).where(Contact.id == contact.id).with_for_update())
    # Twilio keeps texts, calls and voicemail audio until told otherwise: the rows that tell
    # it are written now, in this transaction, so an erasure never commits without them.
    erasure = owe_twilio(session, contact, utcnow())
    # Each package erases its own rows: the channels' (the SMS log, the phone line's calls)
    # through their registered holders, the core's by asking the package.
    for holder in holders():
        holder.erase(session, contact)
    # This also waits for a fan-out batch of the organisation under way to commit, so that the
    # contact's deletion below deletes the row it wrote for them too.
    outbox.erase_for_contact(session, contact)
    verification.erase_for_contact(session, contact)
    # Everything else hangs off the contact and cascades in the database (memberships, RSVPs,
    # call-backs, codes, conversation state; outbox rows by trigger), so rows of later
    # features go too.
    session.execute(delete(Contact).where(Contact.id == contact.id))
    session.expunge(contact)
    return erasure
