"""Contacts and what they choose: memberships, consent, opt-out, language, discretion.

Erasure is service.privacy.erasure's: it asks each package to erase its own rows.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, bindparam, delete, select, true, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from service import languages
from service.contacts.models import Contact, Membership
from service.contacts.phone import normalise_inbound
from service.content.models import Network
from service.content.queries import NetworkView
from service.crypto import vault_of
from service.db import Prepared, utcnow
from service.errors import ContactGone, DomainError, NotFound, ValidationError
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
        try:
            count_person(session, contact, channel=channel, site_id=site_id, created=created)
        except ContactGone:
            # Erased since it was found (FORGET ME, the console): the number is new again, as
            # it would be a moment later.
            session.expunge(contact)
            contact, created = create_contact(session, organisation_id, e164, language=language)
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
    network: Network | NetworkView,
    *,
    channel: str,
    consent_version: str | None = None,
) -> bool:
    """Make the contact a member (True when new); sensitive networks need the consent version.

    A NetworkView is one of the contact's own organisation's (queries.networks): a channel that
    answers from the organisation's content need not load the network again to join it.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    if isinstance(network, Network) and network.organisation_id != contact.organisation_id:
        raise NotFound("no such network")
    if network.sensitive and consent_version is None:
        # Already a member is still no error: only a new membership needs the consent.
        session.flush()
        if session.connection().scalar(
            _MEMBER, {"contact_id": contact.id, "network_id": network.id}
        ):
            return False
        raise ConsentRequired(f"joining {network.slug} needs explicit consent")
    now = utcnow()
    # Pending writes first, as the ORM's autoflush did (the same order of row locks); then
    # one INSERT … ON CONFLICT DO NOTHING RETURNING in place of a savepoint around the ORM's
    # insert: a retried or concurrent join of the same network inserts nothing.
    session.flush()
    values = {
        "contact_id": contact.id,
        "network_id": network.id,
        "channel": channel,
        "joined_at": now,
        "consent_version": consent_version,
        "consent_at": now if consent_version else None,
        "consent_channel": channel if consent_version else None,
    }
    if session.get_bind().dialect.name == "postgresql":
        row = _JOIN_LOCKED.first(session, {f"m_{key}": value for key, value in values.items()})
        if row is None:
            raise ContactGone(contact.id)
        inserted = row[1]
    else:
        try:
            inserted = _JOIN_SQLITE.first(session, values)
        except IntegrityError:
            # The write lock is held now (SQLite's whole database): read whether it is the
            # contact that is gone. A failed statement leaves SQLite's transaction as it was.
            if session.connection().scalar(_EXISTS, {"contact_id": contact.id}) is not None:
                raise
            raise ContactGone(contact.id) from None
    if "memberships" in contact.__dict__:
        session.expire(contact, ["memberships"])  # a loaded list no longer says it all
    if inserted is None:
        return False  # already a member: one membership is the right answer
    # Counted only for a new membership: a repeated JOIN is not a join.
    count_for_contact(session, contact, measure="join", channel=channel, network_id=network.id)
    return True


_contact = Contact.__table__
_membership = Membership.__table__
_network = Network.__table__
# A membership's columns as a join gives them (the id is the table's own); also the order in
# which service.sms.finish's consent inserts one.
JOINED_COLUMNS = (
    "contact_id",
    "network_id",
    "channel",
    "joined_at",
    "consent_version",
    "consent_at",
    "consent_channel",
)


def _join_locked() -> Select:
    """PostgreSQL's join: the contact's row locked first, then the membership inserted.

    The membership's trigger (migration 0036) updates the contact's row. An INSERT alone took
    the new membership's key before that row, while every other write locks the contact first
    (a text's count_person, a kiosk's site, a leave): two requests joining the same member to
    the same network, one each way, waited on each other, and PostgreSQL ended one with a
    deadlock. In one statement still, so a YES costs none more: (the contact's id, the new
    membership's id or NULL when already a member), or no row when the contact is gone.
    """
    locked = (
        select(_contact.c.id)
        .where(_contact.c.id == bindparam("m_contact_id"))
        # NO KEY UPDATE: the lock an UPDATE of its other columns takes (count_person's).
        .with_for_update(key_share=True)
        .cte("locked")
    )
    given = select(
        locked.c.id,
        *(bindparam(f"m_{key}", type_=_membership.c[key].type) for key in JOINED_COLUMNS[1:]),
    )
    joined = (
        postgresql_insert(_membership)
        .from_select(list(JOINED_COLUMNS), given)
        .on_conflict_do_nothing(index_elements=["contact_id", "network_id"])
        .returning(_membership.c.id)
        .cte("joined")
    )
    return select(locked.c.id.label("contact_id"), joined.c.id.label("membership_id")).select_from(
        locked.outerjoin(joined, true())
    )


# Built once per dialect, run on the driver (service.db.Prepared): every JOIN and YES asks it.
# SQLite has one writer at a time, which holds every lock: its join is the INSERT alone.
_JOIN_LOCKED = Prepared(_join_locked())
_JOIN_SQLITE = Prepared(
    sqlite_insert(_membership)
    .on_conflict_do_nothing(index_elements=["contact_id", "network_id"])
    .returning(_membership.c.id)
)
_EXISTS = select(_contact.c.id).where(_contact.c.id == bindparam("contact_id"))
_MEMBER = select(Membership.id).where(
    Membership.contact_id == bindparam("contact_id"),
    Membership.network_id == bindparam("network_id"),
)


def join_with_consent(
    session: Session,
    contact: Contact,
    network: Network | NetworkView,
    *,
    channel: str,
    consent_version: str,
) -> bool:
    """Join with the consent wording agreed; a first sensitive network makes messages discreet."""
    created = join_network(
        session, contact, network, channel=channel, consent_version=consent_version
    )
    if created and network.sensitive and not contact.discreet:
        # Discreet until the member says otherwise: the safe default for a shared phone, on
        # every channel the join was asked on. Only for a first sensitive network (a member
        # who chose real names keeps them): one compare-and-set, no read of the memberships.
        done = _DISCREET_IF_FIRST.rowcount(
            session, {"contact_id": contact.id, "network_id": network.id}
        )
        if done == 1:
            set_committed_value(contact, "discreet", True)
        else:
            # Discreet already, perhaps by another channel's sensitive join since the contact
            # was read (a YES is read before the write lock), or a member who chose real names:
            # read it again, so an answer given now never names the group to a discreet member.
            session.refresh(contact, ["discreet"])
    return created


# Discreet, unless already so or the contact has another sensitive network (joined before).
_DISCREET_IF_FIRST = Prepared(
    update(_contact)
    .where(
        _contact.c.id == bindparam("contact_id"),
        _contact.c.discreet.is_(False),
        ~select(_membership.c.id)
        .join(_network, _network.c.id == _membership.c.network_id)
        .where(
            _membership.c.contact_id == bindparam("contact_id"),
            _membership.c.network_id != bindparam("network_id"),
            _network.c.sensitive,
        )
        .exists(),
    )
    .values(discreet=True)
)


def leave_network(session: Session, contact: Contact, network_id: int, *, channel: str) -> bool:
    """End a membership, left through the channel; False when there was none."""
    result = session.execute(
        delete(Membership).where(_of(session, contact), Membership.network_id == network_id)
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
        delete(Membership).where(_of(session, contact)).returning(Membership.network_id)
    ).all()
    session.expire(contact, ["memberships"])
    for network_id in left:
        count_for_contact(session, contact, measure="leave", channel=channel, network_id=network_id)
    return len(left)


def _of(session: Session, contact: Contact) -> ColumnElement[bool]:
    """The contact's memberships; on PostgreSQL their contact's row locked first.

    Each deleted membership's trigger updates the contact's row: locked first, as a join locks
    it (_join_locked), a leave cannot wait on the contact while holding a membership another
    request that locked the contact is about to delete.
    """
    if session.get_bind().dialect.name != "postgresql":
        return Membership.contact_id == contact.id
    locked = (
        select(_contact.c.id)
        .where(_contact.c.id == contact.id)
        .with_for_update(key_share=True)
        .cte("locked")
    )
    return Membership.contact_id == locked.c.id


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
