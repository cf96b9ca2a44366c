"""One person joining several networks at once, on PostgreSQL, is one person with members.

Each join runs in its own session and connection, as concurrent requests would, and through
join_network directly: nothing before it locks the contact (a text's count_person would). The
membership trigger's update of contact.network_count is what puts them in line; without it
every join would see no earlier membership and count the person again.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from service.contacts import operations as contacts
from service.contacts.models import Contact
from service.content.models import Network
from service.db import get_database
from service.demo.content import ORGANISATION
from service.organisations.models import Organisation
from service.reach.models import ReachTally
from service.reach.operations import count_person
from tests.support.committed import wait_for_a_lock_wait
from tests.support.member_counts import kept, recounted

pytestmark = pytest.mark.postgres  # parallel transactions need PostgreSQL


def test_joins_at_once_count_the_person_once(committed_app) -> None:
    database = get_database(committed_app)
    with committed_app.app_context(), database.session() as session:
        org = session.scalars(
            select(Organisation).where(Organisation.slug == ORGANISATION["slug"])
        ).one()
        networks = session.scalars(
            select(Network.id).where(Network.organisation_id == org.id, ~Network.sensitive)
        ).all()
        person, _ = contacts.get_or_create_contact(session, org.id, "+447400333555")
        session.commit()
        org_id, person_id, before = org.id, person.id, kept(session, org.id)
    assert len(networks) >= 3
    start = threading.Barrier(len(networks))
    failures: list[BaseException] = []

    def join(network_id: int) -> None:
        try:
            with committed_app.app_context(), database.session() as session:
                contact = session.get_one(Contact, person_id)
                start.wait()
                contacts.join_network(
                    session, contact, session.get_one(Network, network_id), channel="console"
                )
                session.commit()
        except BaseException as error:  # reported below, in the test's own thread
            failures.append(error)

    threads = [threading.Thread(target=join, args=(n,)) for n in networks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with committed_app.app_context(), database.session() as session:
        members, people, by_contact = kept(session, org_id)
        assert (members, people, by_contact) == recounted(session, org_id)
    assert by_contact[person_id] == len(networks)
    assert sum(people.values()) == sum(before[1].values()) + 1


def test_two_leaves_of_the_same_group_at_once_one_locking_the_contact_first(
    committed_app,
) -> None:
    """A leave's trigger updates the contact: it must lock it first, as a text's request has.

    A text's LEAVE locks the contact first (count_person); a leave on the phone line does not,
    so its DELETE took the membership's row and then waited on the contact's, while the text's
    waited on the membership: PostgreSQL ended one with a deadlock. Now both lock the contact
    first, and the second finds nothing left to leave.
    """
    database = get_database(committed_app)
    with committed_app.app_context(), database.session() as session:
        org = session.scalars(
            select(Organisation).where(Organisation.slug == ORGANISATION["slug"])
        ).one()
        network = session.scalars(
            select(Network).where(Network.organisation_id == org.id, ~Network.sensitive)
        ).first()
        person, _ = contacts.get_or_create_contact(session, org.id, "+447400333556")
        contacts.join_network(session, person, network, channel="sms")
        org_id, person_id, network_id = org.id, person.id, network.id
        before = _leaves(session, org_id)
    failures: list[BaseException] = []
    left: list[bool] = []

    def leave_by_phone() -> None:
        try:
            with committed_app.app_context(), database.session() as session:
                contact = session.get_one(Contact, person_id)
                left.append(contacts.leave_network(session, contact, network_id, channel="voice"))
        except BaseException as error:  # reported below, in the test's own thread
            failures.append(error)

    with committed_app.app_context():
        text_request = database.sessionmaker()
        try:
            member = text_request.get_one(Contact, person_id)
            count_person(text_request, member, channel="sms")  # a text locks the contact first
            by_phone = threading.Thread(target=leave_by_phone)
            by_phone.start()
            wait_for_a_lock_wait(database, "the leave by phone")
            left.append(contacts.leave_network(text_request, member, network_id, channel="sms"))
            text_request.commit()
        finally:
            text_request.close()
        by_phone.join()
    assert failures == []
    assert sorted(left) == [False, True]
    with committed_app.app_context(), database.session() as session:
        assert kept(session, org_id) == recounted(session, org_id)
        assert _leaves(session, org_id) == before + 1


def _leaves(session, org_id: int) -> int:
    return session.scalar(
        select(func.coalesce(func.sum(ReachTally.count), 0)).where(
            ReachTally.organisation_id == org_id, ReachTally.measure == "leave"
        )
    )
