"""Members now, as the database keeps them (migration 0036's triggers), always equal a recount.

Each test changes memberships the ways the service (and a deleting admin) can: joins on every
channel, leaves one and all, site moves, a deleted site or network, erasure by FORGET ME, the
retention purge, a deleted organisation. After each, the kept counts must equal the same
figures counted from every membership, as the dashboard used to count them.
"""

from __future__ import annotations

import re

from sqlalchemy import delete, func, select

from service.contacts import operations as contacts
from service.contacts.models import Contact
from service.content.models import Network
from service.db import utcnow
from service.organisations.models import Organisation, Site
from service.privacy import retention
from service.privacy.erasure import erase_contact
from service.reach.models import ReachMembers
from tests.support import factories
from tests.support.member_counts import assert_kept, kept
from tests.support.sms import Handset


def test_joins_leaves_and_site_moves_keep_the_counts(session) -> None:
    org = factories.create_organisation(session)
    depot, office = (factories.create_site(session, org=org) for _ in range(2))
    careers, carers = (factories.create_network(session, org=org) for _ in range(2))
    people = [factories.create_contact(session, org=org) for _ in range(4)]
    people[0].site_id = depot.id
    people[1].site_id = depot.id
    for person, channel in zip(people, ("sms", "kiosk", "voice", "web"), strict=True):
        contacts.join_network(session, person, careers, channel=channel)
    contacts.join_network(session, people[0], carers, channel="sms")
    contacts.join_network(session, people[0], carers, channel="sms")  # already a member
    members, by_site, networks = assert_kept(session, org.id)
    assert by_site == {depot.id: 2, 0: 2}
    assert members[(careers.id, depot.id, "sms")] == 1 and networks[people[0].id] == 2

    # Moved with both memberships, then to no known site, then a leave and a leave of all.
    people[0].site_id = office.id
    _, by_site, _ = assert_kept(session, org.id)
    assert by_site == {depot.id: 1, office.id: 1, 0: 2}
    people[1].site_id = None
    assert_kept(session, org.id)
    assert contacts.leave_network(session, people[0], carers.id, channel="sms")
    assert not contacts.leave_network(session, people[0], carers.id, channel="sms")
    _, by_site, networks = assert_kept(session, org.id)
    assert by_site[office.id] == 1 and networks[people[0].id] == 1
    assert contacts.leave_all(session, people[0], channel="sms") == 1
    _, by_site, networks = assert_kept(session, org.id)
    assert office.id not in by_site and people[0].id not in networks
    # Rejoining counts them again, at the site they are at now.
    contacts.join_network(session, people[0], carers, channel="console")
    _, by_site, _ = assert_kept(session, org.id)
    assert by_site[office.id] == 1


def test_a_deleted_site_network_or_member_takes_its_counts_with_it(session) -> None:
    org = factories.create_organisation(session)
    depot = factories.create_site(session, org=org)
    careers, carers = (factories.create_network(session, org=org) for _ in range(2))
    people = [factories.create_contact(session, org=org) for _ in range(3)]
    for person in people:
        person.site_id = depot.id
        contacts.join_network(session, person, careers, channel="sms")
    contacts.join_network(session, people[0], carers, channel="kiosk")
    contacts.join_network(session, people[1], carers, channel="kiosk")
    assert_kept(session, org.id)
    # The site goes: its members are at no known site now (SET NULL in the database).
    session.execute(delete(Site).where(Site.id == depot.id))
    _, by_site, _ = assert_kept(session, org.id)
    assert by_site == {0: 3}
    # A network goes: its memberships go with it, and whoever it was their only one.
    session.execute(delete(Network).where(Network.id == careers.id))
    members, by_site, _ = assert_kept(session, org.id)
    assert by_site == {0: 2} and members == {(carers.id, 0, "kiosk"): 2}
    # Erased: the contact's memberships cascade, and the counts come off once.
    erase_contact(session, session.get_one(Contact, people[0].id))
    _, by_site, _ = assert_kept(session, org.id)
    assert by_site == {0: 1}


def test_an_organisation_with_members_at_sites_can_be_deleted(session) -> None:
    org, other = factories.create_organisation(session), factories.create_organisation(session)
    for owner in (org, other):
        site = factories.create_site(session, org=owner)
        person = factories.create_contact(session, org=owner)
        person.site_id = site.id
        contacts.join_network(
            session, person, factories.create_network(session, org=owner), channel="sms"
        )
    organisation_id = org.id
    session.flush()
    session.expunge_all()
    # Its sites' SET NULL and its contacts' deletion cascade together; no count is left.
    session.execute(delete(Organisation).where(Organisation.id == organisation_id))
    assert kept(session, organisation_id) == ({}, {}, {})
    assert (
        session.scalar(
            select(func.count())
            .select_from(ReachMembers)
            .where(ReachMembers.organisation_id == organisation_id)
        )
        == 0
    )
    assert_kept(session, other.id)


def test_texts_forget_me_and_the_purge_keep_the_counts(client, demo, session, config) -> None:
    before = assert_kept(session, demo.id)
    phone = Handset(client, "+447400333101")
    phone.send("JOIN CAREERS")
    phone.send("JOIN CARERS")
    phone.send("YES")
    Handset(client, "+447400333102").send("JOIN CAREERS")
    after_joins = assert_kept(session, demo.id)
    assert sum(after_joins[1].values()) == sum(before[1].values()) + 2
    phone.send("LEAVE CAREERS")
    assert_kept(session, demo.id)
    asked = phone.send("FORGET ME")
    phone.send("YES " + re.search(r"YES (\d{4})", asked.text).group(1))
    assert contacts.find_contact(session, demo.id, "+447400333101") is None
    erased = assert_kept(session, demo.id)
    assert sum(erased[1].values()) == sum(before[1].values()) + 1
    for rule in retention.rules():
        retention.purge_batch(session, rule, config, utcnow(), 500)
    assert assert_kept(session, demo.id) == erased
