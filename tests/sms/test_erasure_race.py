"""A returning member's text, read just before another request erases its sender, then written.

The erasure (FORGET ME's YES on another text, the console's) commits between this text's read
of the sender and its first write. The text is answered in the same request as one a moment
later would be: from a number now unknown (the welcome first), its inbound row linked to the
new contact, never to the one erased; a retry of it gets that same answer. It used to be a 500:
on PostgreSQL "a claimed MessageSid has no row", on SQLite a foreign key's IntegrityError, and
Twilio's retry was then answered as a new number's first text.

Each request commits for real (committed_app_either), on SQLite too: the erasure is another
session's, committed while this text's request waits between its read and its writes.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.contacts.models import Contact, Membership
from service.contacts.operations import find_contact
from service.db import get_database
from service.demo.content import ORGANISATION
from service.organisations.models import Organisation
from service.privacy.erasure import erase_contact
from service.sms import lookup
from service.sms.models import InboundMessage
from tests.support.sms import Handset

NUMBER = "+447400333777"
STRANGER = "+447400333778"
WELCOME = "Welcome to Northgate City Council staff texts."


def _erased_after_its_read(monkeypatch, app) -> list[int]:
    """The next text's sender is erased, by another session, once the text has read them."""
    real = lookup.contact_and_state
    erased: list[int] = []

    def raced(session, *args, **kwargs):
        found, seen = real(session, *args, **kwargs)
        if found is not None and not erased:
            erased.append(found.contact.id)
            with get_database(app).session() as other:
                erase_contact(other, other.get_one(Contact, found.contact.id))
        return found, seen

    monkeypatch.setattr(lookup, "contact_and_state", raced)
    return erased


@pytest.mark.parametrize(
    "before,body",
    [
        # A reading command: on PostgreSQL its end-of-text statement (service.sms.finish), on
        # SQLite count_person's, is its first write.
        (("JOIN CARERS",), "EVENTS"),
        # A YES to its own consent question: the membership's insert is its first write.
        (("JOIN CARERS", "JOIN MINDS"), "YES"),
        # Not a text that writes as it reads (a JOIN, a NO): that one reads under SQLite's
        # write lock, or on PostgreSQL once it holds its sender's row (test_writes_lock_first),
        # so no erasure can come between its read and its writes.
    ],
)
def test_a_text_read_before_its_sender_is_erased_is_answered_as_a_new_numbers(
    committed_app_either, monkeypatch, before, body
) -> None:
    app = committed_app_either
    database = get_database(app)
    phone = Handset(app.test_client(), NUMBER)
    for text in ("HELLO", *before):
        assert phone.send(text).status == 200
    erased = _erased_after_its_read(monkeypatch, app)
    sid = "SM" + "e" * 32
    reply = phone.send(body, sid=sid)
    assert reply.status == 200, reply.xml
    assert erased, "the race did not happen"
    # What a number never seen before is answered.
    assert reply.texts[0].startswith(WELCOME), reply.texts
    assert reply.texts == Handset(app.test_client(), STRANGER).send(body).texts
    with app.app_context(), database.session() as session:
        org = session.scalars(
            select(Organisation).where(Organisation.slug == ORGANISATION["slug"])
        ).one()
        made = find_contact(session, org.id, NUMBER)
        assert made is not None
        # The text is kept, and linked to the contact it made, alone: the texts before it went
        # with the one erased. (SQLite may give the new contact the erased one's id again.)
        linked = select(InboundMessage.message_sid).where(InboundMessage.contact_id == made.id)
        assert session.scalars(linked).all() == [sid]
        # Only what this text did, as a new number's: the erased contact's groups went with it.
        joined = session.scalars(select(Membership).where(Membership.contact_id == made.id)).all()
        assert joined == []
    # Twilio's retry of it: the same answer, and nothing made again.
    again = phone.send(body, sid=sid)
    assert again.status == 200 and again.texts == reply.texts
