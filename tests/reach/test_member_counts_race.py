"""One person joining several networks at once, on PostgreSQL, is one person with members.

Each join runs in its own session and connection, as concurrent requests would, and through
join_network directly: nothing before it locks the contact (a text's count_person would). The
membership trigger's update of contact.network_count is what puts them in line; without it
every join would see no earlier membership and count the person again.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from service.contacts import operations as contacts
from service.contacts.models import Contact
from service.content.models import Network
from service.db import get_database
from service.demo.content import ORGANISATION
from service.organisations.models import Organisation
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
