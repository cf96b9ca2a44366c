"""Contacts and what they choose: memberships, consent, opt-out, language, discretion.

Erasure is service.privacy.erasure's: it asks each package to erase its own rows.
"""

from __future__ import annotations

from sqlalchemy import bindparam, delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import languages
from service.contacts.models import Contact, Membership
from service.contacts.phone import normalise_inbound
from service.content.models import Network
from service.crypto import vault_of
from service.db import utcnow
from service.errors import DomainError, NotFound, ValidationError
from service.reach.operations import count_for_contact, count_person


def find_contact(session: Session, organisation_id: int, phone: str) -> Contact | None:
    """The organisation's contact for a number, found through the blind index."""
    # Under the current key and every old one: while `frontline rotate-data-key` runs, rows
    # not yet reached still carry an old key's index. A row found that way is left for the
    # command to rewrite, not rewritten here: lookups stay reads, and the command's
    # compare-and-set update is the one place ciphertext and index change together.
    indexes = vault_of(session).blind_indexes(normalise_inbound(phone))
    found = session.scalars(
        _BY_INDEX, {"organisation_id": organisation_id, "indexes": indexes}
    ).all()
    # Two rows only if a number first wrote in under both keys at once; prefer the current.
    return min(found, key=lambda c: indexes.index(c.phone_index), default=None)


# Built once: every call and many texts ask it.
_BY_INDEX = (
    select(Contact)
    .where(
        Contact.organisation_id == bindparam("organisation_id"),
        Contact.phone_index.in_(bindparam("indexes", expanding=True)),
    )
    .order_by(Contact.id)
)


def get_or_create_contact(
    session: Session,
    organisation_id: int,
    phone: str,
    *,
    language: str | None = None,
    channel: str | None = None,
    site_id: int | None = None,
) -> tuple[Contact, bool]:
    """The contact for a number, created if new; the flag says whether it was created.

    With a channel, the number was heard from through it (a call, a proven code): the reach
    counts note it. Without one (a number typed at a kiosk, not yet proven) nothing is noted.
    """
    e164 = normalise_inbound(phone)
    contact = find_contact(session, organisation_id, e164)
    created = contact is None
    if contact is None:
        contact, created = create_contact(session, organisation_id, e164, language=language)
    if channel is not None:
        count_person(session, contact, channel=channel, site_id=site_id, created=created)
    return contact, created


def create_contact(
    session: Session, organisation_id: int, e164: str, *, language: str | None = None
) -> tuple[Contact, bool]:
    """A contact for a number just looked up and not found; a concurrent creator's if it won."""
    vault = vault_of(session)
    contact = Contact(
        organisation_id=organisation_id,
        phone_encrypted=vault.encrypt(e164),
        phone_index=vault.blind_index(e164),
        language=language or "en",
    )
    try:
        # A savepoint, so losing a race with a concurrent first message keeps the transaction.
        with session.begin_nested():
            session.add(contact)
    except IntegrityError:
        winner = find_contact(session, organisation_id, e164)
        if winner is None:
            raise
        return winner, False
    return contact, True


# Bump when the consent wording on any channel changes: the record says which one was agreed.
CONSENT_VERSION = "2026-11-v1"
CHANNELS = ("sms", "voice", "kiosk", "web", "console")


class ConsentRequired(DomainError):
    """A sensitive network needs explicit consent before membership."""


def join_network(
    session: Session,
    contact: Contact,
    network: Network,
    *,
    channel: str,
    consent_version: str | None = None,
) -> tuple[Membership, bool]:
    """Make the contact a member; sensitive networks need the consent wording version agreed."""
    existing = session.scalar(
        select(Membership).where(
            Membership.contact_id == contact.id, Membership.network_id == network.id
        )
    )
    return _join(
        session, contact, network, existing, channel=channel, consent_version=consent_version
    )


def _join(
    session: Session,
    contact: Contact,
    network: Network,
    existing: Membership | None,
    *,
    channel: str,
    consent_version: str | None,
) -> tuple[Membership, bool]:
    """join_network once the contact's membership of the network (if any) has been read."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    if network.organisation_id != contact.organisation_id:
        raise NotFound("no such network")
    if existing is not None:
        return existing, False
    if network.sensitive and consent_version is None:
        raise ConsentRequired(f"joining {network.slug} needs explicit consent")
    now = utcnow()
    membership = Membership(
        contact_id=contact.id,
        network_id=network.id,
        channel=channel,
        joined_at=now,
        consent_version=consent_version,
        consent_at=now if consent_version else None,
        consent_channel=channel if consent_version else None,
    )
    try:
        with session.begin_nested():
            session.add(membership)
    except IntegrityError:
        # A retried or concurrent join got there first; one membership is the right answer.
        winner = session.scalar(
            select(Membership).where(
                Membership.contact_id == contact.id, Membership.network_id == network.id
            )
        )
        if winner is None:
            raise
        return winner, False
    # Counted only here, past both "already a member" exits: a repeated JOIN is not a join.
    count_for_contact(session, contact, measure="join", channel=channel, network_id=network.id)
    return membership, True


def join_with_consent(
    session: Session, contact: Contact, network: Network, *, channel: str, consent_version: str
) -> tuple[Membership, bool]:
    """Join with the consent wording agreed; a first sensitive network makes messages discreet."""
    # One query for both questions: is the contact already a member, and of any sensitive
    # network (a member of a few networks at most, so every such row is cheap to read).
    rows = session.execute(
        _SENSITIVE_OR_THIS, {"contact_id": contact.id, "network_id": network.id}
    ).all()
    existing = next((m for m, _sensitive in rows if m.network_id == network.id), None)
    had_sensitive = any(sensitive for _m, sensitive in rows)
    membership, created = _join(
        session, contact, network, existing, channel=channel, consent_version=consent_version
    )
    if created and network.sensitive and not had_sensitive and not contact.discreet:
        # Discreet until the member says otherwise: the safe default for a shared phone, on
        # every channel the join was asked on.
        set_discreet(session, contact, True)
    return membership, created


# The contact's memberships of sensitive networks and of the one being joined.
_SENSITIVE_OR_THIS = (
    select(Membership, Network.sensitive)
    .join(Network, Network.id == Membership.network_id)
    .where(
        Membership.contact_id == bindparam("contact_id"),
        or_(Network.sensitive, Membership.network_id == bindparam("network_id")),
    )
)


def leave_network(session: Session, contact: Contact, network_id: int, *, channel: str) -> bool:
    """End a membership, left through the channel; False when there was none."""
    result = session.execute(
        delete(Membership).where(
            Membership.contact_id == contact.id, Membership.network_id == network_id
        )
    )
    session.expire(contact, ["memberships"])
    if result.rowcount:
        count_for_contact(session, contact, measure="leave", channel=channel, network_id=network_id)
    return bool(result.rowcount)


def leave_all(session: Session, contact: Contact, *, channel: str) -> int:
    """End every membership, left through the channel; the number ended."""
    # RETURNING names exactly the rows this statement deleted, so each leave counts once
    # even when a concurrent LEAVE got to some of them first.
    left = session.scalars(
        delete(Membership)
        .where(Membership.contact_id == contact.id)
        .returning(Membership.network_id)
    ).all()
    session.expire(contact, ["memberships"])
    for network_id in left:
        count_for_contact(session, contact, measure="leave", channel=channel, network_id=network_id)
    return len(left)


def member_network_ids(session: Session, contact: Contact) -> list[int]:
    """The ids of the networks the contact belongs to."""
    # Core on the session's connection: plain ids need none of the ORM's result machinery.
    if session.autoflush:  # as the ORM's autoflush would: a membership just added counts
        session.flush()
    return list(session.connection().scalars(_NETWORK_IDS, {"contact_id": contact.id}))


# Built once: EVENTS asks it for every member.
_NETWORK_IDS = select(Membership.network_id).where(Membership.contact_id == bindparam("contact_id"))


def opt_out(session: Session, contact: Contact) -> None:
    """Stop every message to the contact, as Twilio does on STOP; memberships are kept."""
    if contact.opted_out_at is None:
        contact.opted_out_at = utcnow()
    session.flush()


def opt_in(session: Session, contact: Contact) -> bool:
    """Resume messages after an opt-out; False when the contact was not opted out."""
    was_out = contact.opted_out_at is not None
    contact.opted_out_at = None
    session.flush()
    return was_out


def set_language(session: Session, contact: Contact, language: str) -> None:
    """Store the contact's language, used on every channel."""
    if not languages.is_supported(language):
        raise ValidationError("language", f"{language!r} is not supported")
    contact.language = language
    session.flush()


def set_discreet(session: Session, contact: Contact, discreet: bool) -> None:
    """Choose whether messages may name sensitive networks."""
    contact.discreet = discreet
    session.flush()
