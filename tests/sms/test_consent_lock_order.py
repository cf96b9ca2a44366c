"""A YES to a consent question and another channel's join of the same group, at once.

The membership's trigger updates the contact's row (migration 0036). A YES is answered before
the write lock, and its join used to insert the membership, taking its key, before that row;
every other path locks the contact first (count_person, a kiosk's site). The other request then
waited on the YES's membership key while the YES waited on the contact, and PostgreSQL ended
one of them with a deadlock: the webhook answered 500. Now the join locks the contact first.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from service.contacts import operations as contacts
from service.contacts.models import Contact, Membership
from service.content.models import Network
from service.db import get_database
from service.demo.content import ORGANISATION
from service.organisations.models import Organisation
from service.reach.operations import count_person
from tests.support.committed import wait_for_a_lock_wait
from tests.support.member_counts import kept, recounted
from tests.support.sms import Handset, Reply

pytestmark = pytest.mark.postgres  # two transactions at once need PostgreSQL

NUMBER = "+447400333666"


def test_a_yes_and_another_channels_join_of_the_same_group_at_once(committed_app) -> None:
    app = committed_app
    database = get_database(app)
    phone = Handset(app.test_client(), NUMBER)
    phone.send("HELLO")
    assert "Reply YES" in phone.last("JOIN MINDS")
    with app.app_context(), database.session() as session:
        org = session.scalars(
            select(Organisation).where(Organisation.slug == ORGANISATION["slug"])
        ).one()
        org_id = org.id
        contact_id = contacts.find_contact(session, org.id, NUMBER).id
        minds_id = session.scalar(select(Network.id).where(Network.slug == "minds"))
    replies: list[Reply] = []
    failures: list[BaseException] = []

    def yes() -> None:
        try:
            replies.append(Handset(app.test_client(), NUMBER).send("YES"))
        except BaseException as error:  # reported below, in the test's own thread
            failures.append(error)

    with app.app_context():
        other = database.sessionmaker()  # the other channel's request: a kiosk's, say
        try:
            member = other.get_one(Contact, contact_id)
            # The contact first, as every path but the YES's join locked it.
            count_person(other, member, channel="kiosk")
            answering = threading.Thread(target=yes)
            answering.start()
            wait_for_a_lock_wait(database, "the YES")
            contacts.join_with_consent(
                other,
                member,
                other.get_one(Network, minds_id),
                channel="kiosk",
                consent_version=contacts.CONSENT_VERSION,
            )
            other.commit()
        finally:
            other.close()
        answering.join()
    assert failures == []
    assert replies[0].status == 200, replies[0].xml
    assert replies[0].text.startswith("You have joined."), replies[0].texts
    with app.app_context(), database.session() as session:
        joined = session.scalars(select(Membership).where(Membership.contact_id == contact_id))
        assert [(m.network_id, m.channel) for m in joined] == [(minds_id, "kiosk")]
        assert session.get_one(Contact, contact_id).discreet is True
        assert kept(session, org_id) == recounted(session, org_id)
