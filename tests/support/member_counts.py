"""Members now as the database keeps them (migration 0036), and the same figures recounted."""

from __future__ import annotations

from sqlalchemy import distinct, func, select

from service.contacts.models import Contact, Membership
from service.reach.models import ReachMemberPeople, ReachMembers

Counts = tuple[dict[tuple[int, int, str], int], dict[int, int], dict[int, int]]


def kept(session, organisation_id: int) -> Counts:
    """Memberships by (network, site, channel), people by site, networks by contact: as kept."""
    session.flush()
    members = {
        (row.network_id, row.site_id, row.channel): row.count
        for row in session.scalars(
            select(ReachMembers).where(ReachMembers.organisation_id == organisation_id)
        )
        if row.count
    }
    people = {
        row.site_id: row.count
        for row in session.scalars(
            select(ReachMemberPeople).where(ReachMemberPeople.organisation_id == organisation_id)
        )
        if row.count
    }
    networks = dict(
        session.execute(
            select(Contact.id, Contact.network_count).where(
                Contact.organisation_id == organisation_id, Contact.network_count != 0
            )
        ).all()
    )
    return members, people, networks


def recounted(session, organisation_id: int) -> Counts:
    """The same figures counted from every membership."""
    session.flush()
    site = func.coalesce(Contact.site_id, 0)
    joined = (
        select()
        .select_from(Membership)
        .join(Contact, Contact.id == Membership.contact_id)
        .where(Contact.organisation_id == organisation_id)
    )
    members = {
        (network_id, site_id, channel): count
        for network_id, site_id, channel, count in session.execute(
            joined.add_columns(
                Membership.network_id, site, Membership.channel, func.count()
            ).group_by(Membership.network_id, site, Membership.channel)
        )
    }
    people = dict(
        session.execute(
            joined.add_columns(site, func.count(distinct(Contact.id))).group_by(site)
        ).all()
    )
    networks = dict(
        session.execute(joined.add_columns(Contact.id, func.count()).group_by(Contact.id)).all()
    )
    return members, people, networks


def assert_kept(session, organisation_id: int) -> Counts:
    """The kept counts equal a recount; both returned as kept."""
    counts = kept(session, organisation_id)
    assert counts == recounted(session, organisation_id)
    return counts
