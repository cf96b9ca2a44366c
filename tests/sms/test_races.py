"""Texts answered before the write lock, with another text's writes landing in between.

A text read before the lock may find, once it writes, that a concurrent text from the same
number (or a retry of the same MessageSid) got there first. What the member sees and what is
counted must be as if the two had come one after the other.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, insert, select, update

from service.contacts.models import Contact, Membership
from service.contacts.operations import CONSENT_VERSION, find_contact
from service.content.models import Network
from service.reach.models import ReachTally
from service.sms import lookup
from service.sms.models import ConversationState
from tests.support.sms import WORKER, Handset


def _support_count(session, demo) -> int:
    session.expire_all()
    return session.scalar(
        select(func.coalesce(func.sum(ReachTally.count), 0)).where(
            ReachTally.organisation_id == demo.id, ReachTally.measure == "support"
        )
    )


def _read_as_new_once(monkeypatch) -> None:
    """The next text's first read sees no contact (read before another text's commit)."""
    real = lookup.contact_and_state
    calls = []

    def stale(session, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            return None, False
        return real(session, *args, **kwargs)

    monkeypatch.setattr(lookup, "contact_and_state", stale)


def test_a_retried_first_talk_that_lost_the_race_counts_one_support_request(
    client, session, demo, monkeypatch
) -> None:
    handset = Handset(client)
    before = _support_count(session, demo)
    first = handset.send("TALK", sid="SM" + "7" * 32)
    assert _support_count(session, demo) == before + 1
    # Twilio's retry, read before the first one committed.
    _read_as_new_once(monkeypatch)
    again = handset.send("TALK", sid="SM" + "7" * 32)
    assert again.texts == first.texts
    assert _support_count(session, demo) == before + 1


def test_a_first_talk_racing_another_first_text_counts_one_support_request(
    client, session, demo, monkeypatch
) -> None:
    handset = Handset(client)
    handset.send("HELP")
    before = _support_count(session, demo)
    # TALK sent at once with the HELP: read before the HELP made the contact.
    _read_as_new_once(monkeypatch)
    assert handset.send("TALK").status == 200
    assert _support_count(session, demo) == before + 1


def test_a_second_yes_sent_at_once_never_names_the_sensitive_group(
    client, session, demo, monkeypatch
) -> None:
    """YES sent twice: the second is read before the first's consent and discretion land.

    The first YES joined and made texts discreet (the safe default); the second must not
    answer with the group's real name.
    """
    handset = Handset(client)
    handset.send("HELLO")
    assert "Reply YES" in handset.last("JOIN MINDS")
    contact = find_contact(session, demo.id, WORKER)
    minds = session.scalar(select(Network).where(Network.slug == "minds"))
    contact_id, minds_id = contact.id, minds.id
    real = lookup.contact_and_state

    def raced(app_session, *args, **kwargs):
        found = real(app_session, *args, **kwargs)
        if not app_session.scalar(select(Membership.id).where(Membership.contact_id == contact_id)):
            # The first YES's writes, committed just after this text read the member.
            now = dt.datetime.now(dt.UTC)
            connection = app_session.connection()
            connection.execute(
                insert(Membership.__table__).values(
                    contact_id=contact_id,
                    network_id=minds_id,
                    channel="sms",
                    joined_at=now,
                    consent_version=CONSENT_VERSION,
                    consent_at=now,
                    consent_channel="sms",
                )
            )
            connection.execute(
                update(Contact.__table__)
                .where(Contact.__table__.c.id == contact_id)
                .values(discreet=True)
            )
            connection.execute(
                update(ConversationState.__table__)
                .where(ConversationState.__table__.c.contact_id == contact_id)
                .values(pending_kind=None, pending_payload=None)
            )
        return found

    monkeypatch.setattr(lookup, "contact_and_state", raced)
    second = handset.last("YES")
    assert "Minds Matter" not in second, second
    monkeypatch.setattr(lookup, "contact_and_state", real)
    session.expire_all()
    assert find_contact(session, demo.id, WORKER).discreet is True
    assert len(session.scalars(select(Membership)).all()) == 1


def test_a_yes_read_before_another_sensitive_join_never_names_the_group(
    client, session, demo, monkeypatch
) -> None:
    """YES to a first sensitive group, read before another channel's sensitive join lands.

    The other join (a phone call's, say) made texts discreet after this YES read the member;
    this YES's own join then finds them discreet already, and must not answer with the real name.
    """
    handset = Handset(client)
    handset.send("HELLO")
    assert "Reply YES" in handset.last("JOIN MINDS")
    contact = find_contact(session, demo.id, WORKER)
    dawn = session.scalar(select(Network).where(Network.slug == "dawn"))
    contact_id, dawn_id = contact.id, dawn.id
    real = lookup.contact_and_state

    def raced(app_session, *args, **kwargs):
        found = real(app_session, *args, **kwargs)
        if app_session.scalar(select(Membership.id).where(Membership.network_id == dawn_id)):
            return found  # landed already: a text read again (as it is now) sees it
        # The other channel's join, committed just after this text read the member.
        now = dt.datetime.now(dt.UTC)
        connection = app_session.connection()
        connection.execute(
            insert(Membership.__table__).values(
                contact_id=contact_id,
                network_id=dawn_id,
                channel="voice",
                joined_at=now,
                consent_version=CONSENT_VERSION,
                consent_at=now,
                consent_channel="voice",
            )
        )
        connection.execute(
            update(Contact.__table__)
            .where(Contact.__table__.c.id == contact_id)
            .values(discreet=True)
        )
        return found

    monkeypatch.setattr(lookup, "contact_and_state", raced)
    answer = handset.last("YES")
    monkeypatch.setattr(lookup, "contact_and_state", real)
    assert "Minds Matter" not in answer, answer
    session.expire_all()
    assert find_contact(session, demo.id, WORKER).discreet is True


def _raced_after_read(monkeypatch, write):
    """write(connection) lands just after the next text reads its member; the real lookup."""
    real = lookup.contact_and_state
    calls = []

    def raced(app_session, *args, **kwargs):
        found = real(app_session, *args, **kwargs)
        calls.append(1)
        if len(calls) == 1:
            write(app_session.connection())
        return found

    monkeypatch.setattr(lookup, "contact_and_state", raced)
    return real


def test_a_yes_read_before_the_member_asked_for_discretion_never_names_the_group(
    client, session, demo, monkeypatch
) -> None:
    """YES to a second sensitive group from a member who chose real names, then DISCREET.

    The DISCREET lands after this YES read the member (texts may no longer name groups): the
    answer must not name the group, nor its join put back the real names the member left.
    """
    handset = Handset(client)
    handset.send("HELLO")
    handset.send("JOIN DAWN")
    handset.send("YES")
    handset.send("NAME")
    assert "Reply YES" in handset.last("JOIN MINDS")
    contact_id = find_contact(session, demo.id, WORKER).id
    real = _raced_after_read(
        monkeypatch,
        lambda connection: connection.execute(
            update(Contact.__table__)
            .where(Contact.__table__.c.id == contact_id)
            .values(discreet=True)
        ),
    )
    answer = handset.last("YES")
    monkeypatch.setattr(lookup, "contact_and_state", real)
    assert "Minds Matter" not in answer, answer
    session.expire_all()
    assert find_contact(session, demo.id, WORKER).discreet is True
    assert len(session.scalars(select(Membership)).all()) == 2


def test_a_yes_read_before_another_sensitive_join_keeps_the_real_names_chosen_since(
    client, session, demo, monkeypatch
) -> None:
    """YES to a first sensitive group, read before another channel's sensitive join lands.

    That join was followed by NAME (real names), all before this YES wrote: this join is then
    not the member's first sensitive group, so texts stay as the member chose.
    """
    handset = Handset(client)
    handset.send("HELLO")
    assert "Reply YES" in handset.last("JOIN MINDS")
    contact_id = find_contact(session, demo.id, WORKER).id
    dawn_id = session.scalar(select(Network.id).where(Network.slug == "dawn"))

    def joined_by_phone_then_named(connection) -> None:
        now = dt.datetime.now(dt.UTC)
        connection.execute(
            insert(Membership.__table__).values(
                contact_id=contact_id,
                network_id=dawn_id,
                channel="voice",
                joined_at=now,
                consent_version=CONSENT_VERSION,
                consent_at=now,
                consent_channel="voice",
            )
        )

    real = _raced_after_read(monkeypatch, joined_by_phone_then_named)
    answer = handset.last("YES")
    monkeypatch.setattr(lookup, "contact_and_state", real)
    assert "Minds Matter" in answer, answer
    session.expire_all()
    assert find_contact(session, demo.id, WORKER).discreet is False
    assert len(session.scalars(select(Membership)).all()) == 2
