"""The answer to "when is a good time to call?" locks its member before their call-back request.

A 1 to 4 after CALL ME is a pick, answered before its member's row is locked (a reading
command: service.sms.operations). Its good time was flushed while it was answered: an UPDATE of
the call-back request, then the member's row at the text's last writes. Every other write about
a member locks their row first, and an erasure (FORGET ME, the console's) locks the contact,
then deletes its call-backs: on PostgreSQL the two waited on each other, and one was ended as
a deadlock. Now the good time is written once the member's row is held.
"""

from __future__ import annotations

import logging
import re
import threading

import pytest
from sqlalchemy import func, select

from service.callbacks.models import CallbackRequest
from service.contacts import operations as contacts
from service.contacts.models import Contact
from service.db import get_database
from service.demo.content import ORGANISATION
from service.organisations.models import Organisation
from service.privacy.erasure import erase_contact
from tests.support.committed import wait_for_a_lock_wait
from tests.support.sms import Handset, Reply
from tests.support.statements import watching

TIME_QUESTION = "When is a good time to call?"
# What takes the member's row lock: the UPDATE of their row (count_person's, or the last
# statement's on PostgreSQL: service.sms.finish), or a SELECT … FOR [NO KEY] UPDATE of it.
_LOCKS_CONTACT = re.compile(r"\bUPDATE contact\b|\bFROM contact\b.*\bFOR (NO KEY )?UPDATE\b", re.S)
_WRITES_CALLBACK = re.compile(r"\bUPDATE callback_request\b")


def test_the_time_is_written_after_the_members_row_is_locked(phone, connection, session) -> None:
    assert phone.last("CALL ME").startswith(TIME_QUESTION)
    statements: list[str] = []
    with watching(connection, lambda statement, *_: statements.append(statement)):
        assert phone.last("3") == "Thanks. We will try to call you in the evening."
    locks = [n for n, s in enumerate(statements) if _LOCKS_CONTACT.search(s)]
    writes = [n for n, s in enumerate(statements) if _WRITES_CALLBACK.search(s)]
    listing = "\n".join(s.split("\n")[0][:100] for s in statements)
    assert locks and writes, listing
    assert locks[0] < writes[0], listing
    assert session.scalars(select(CallbackRequest.good_time)).one() == "evening"


@pytest.mark.postgres  # two transactions at once need PostgreSQL
def test_a_call_time_and_an_erasure_of_its_member_at_once(committed_app, caplog) -> None:
    """The erasure holds the member's row when the time arrives, then deletes the request.

    The time's UPDATE of the request came first and then waited for the member's row, which the
    erasure held while it waited for the request's: PostgreSQL ended the text as a deadlock.
    """
    app = committed_app
    database = get_database(app)
    number = "+447400333890"
    phone = Handset(app.test_client(), number)
    phone.send("HELLO")
    assert phone.last("CALL ME").startswith(TIME_QUESTION)
    replies: list[Reply] = []
    failures: list[BaseException] = []

    def answer_the_time() -> None:
        try:
            replies.append(Handset(app.test_client(), number).send("3"))
        except BaseException as error:  # reported below, in the test's own thread
            failures.append(error)

    answering = threading.Thread(target=answer_the_time)
    with caplog.at_level(logging.WARNING), app.app_context():
        other = database.sessionmaker()  # the erasure's request: the console's, say
        try:
            org = other.scalars(
                select(Organisation).where(Organisation.slug == ORGANISATION["slug"])
            ).one()
            member = contacts.find_contact(other, org.id, number)
            assert member is not None
            # The member's row first, as erase_contact takes it, then the text arrives.
            other.execute(select(Contact.id).where(Contact.id == member.id).with_for_update())
            answering.start()
            wait_for_a_lock_wait(database, "the time's text")
            erase_contact(other, member, locked=True)  # deletes the call-back request too
            other.commit()
        finally:
            other.close()
        answering.join(30)
    assert not answering.is_alive() and failures == []
    # The text waited for the member, holding nothing the erasure needed: no deadlock. It was
    # then answered from a number now unknown (service.sms.operations: ContactGone).
    assert replies[0].status == 200, replies[0].xml
    assert "conflict" not in caplog.text, caplog.text
    with app.app_context(), database.session() as session:
        assert session.scalar(select(func.count()).select_from(CallbackRequest)) == 0
