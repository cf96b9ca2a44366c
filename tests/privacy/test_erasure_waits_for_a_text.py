"""An erasure from the console while a text from the same person is being written.

The text has locked its sender's row (count_person, service.sms.finish) and written its inbound
row, not yet committed. The erasure used to read and unlink the person's texts first and wait
only at the contact's own delete: the text's row, committed meanwhile, was then unlinked by the
foreign key alone and kept what it wrote and what we answered (which names their groups), and
Twilio was not asked to delete it by its SID. Now the erasure locks the contact first, waits for
the text, and finds its row with the rest.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import insert, select

from service.contacts.models import Contact
from service.contacts.operations import find_contact
from service.db import get_database, utcnow
from service.demo.content import ORGANISATION
from service.organisations.models import Organisation
from service.privacy.erasure import erase_contact
from service.privacy.models import TwilioDeletion
from service.reach.operations import count_person
from service.sms.models import InboundMessage
from tests.support.committed import wait_for_a_lock_wait
from tests.support.sms import Handset

pytestmark = pytest.mark.postgres  # two transactions at once need PostgreSQL

NUMBER = "+447400333888"
SID = "SM" + "d" * 32


def test_an_erasure_waits_for_a_text_under_way_and_erases_what_it_wrote(committed_app) -> None:
    app = committed_app
    database = get_database(app)
    phone = Handset(app.test_client(), NUMBER)
    phone.send("HELLO")
    phone.send("JOIN CARERS")
    with app.app_context(), database.session() as session:
        org = session.scalars(
            select(Organisation).where(Organisation.slug == ORGANISATION["slug"])
        ).one()
        org_id, contact_id = org.id, find_contact(session, org.id, NUMBER).id
    failures: list[BaseException] = []

    def erase() -> None:
        try:
            with app.app_context(), database.session() as session:
                erase_contact(session, session.get_one(Contact, contact_id))
        except BaseException as error:  # reported below, in the test's own thread
            failures.append(error)

    with app.app_context():
        texting = database.sessionmaker()  # a text's request, half way through its writes
        try:
            count_person(texting, texting.get_one(Contact, contact_id), channel="sms")
            texting.execute(
                insert(InboundMessage).values(
                    message_sid=SID,
                    organisation_id=org_id,
                    contact_id=contact_id,
                    received_at=utcnow(),
                    command="events",
                    segments=1,
                    replies_encrypted="what we answered",
                    body_encrypted="what they wrote",
                )
            )
            erasing = threading.Thread(target=erase)
            erasing.start()
            wait_for_a_lock_wait(database, "the erasure")
            texting.commit()
        finally:
            texting.close()
        erasing.join()
    assert failures == []
    with app.app_context(), database.session() as session:
        assert session.get(Contact, contact_id) is None
        row = session.scalars(select(InboundMessage).where(InboundMessage.message_sid == SID)).one()
        assert (row.contact_id, row.replies_encrypted, row.body_encrypted) == (None, None, None)
        owed = session.scalars(select(TwilioDeletion.sid).where(TwilioDeletion.sid == SID)).all()
        assert owed == [SID]
