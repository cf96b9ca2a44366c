"""The organisation behind the number texted, remembered per process: never served stale.

A text's organisation is the one this process last found behind the number, confirmed by the
text's own lookup (service.sms.lookup). Each change here is made the way nothing in the
process hears of (Core, on the database), and the very next text must see it.
"""

from __future__ import annotations

import logging

from sqlalchemy import func, select, update

from service.contacts.operations import find_contact
from service.content.models import Network
from service.content.version import new_version
from service.organisations.models import Organisation, OrganisationNumber
from service.organisations.operations import OrganisationChanged, create_organisation
from service.sms import lookup
from service.sms.models import InboundMessage
from service.speakup.models import SpeakUpCase
from tests.support.sms import DEMO_NUMBER, Handset


def _elsewhere(session, statement) -> None:
    """Run statement as another process would: on the database, unseen by this session."""
    session.connection().execute(statement)
    session.commit()


def test_a_renamed_organisation_welcomes_by_its_new_name_on_the_next_text(
    client, session, demo
) -> None:
    assert demo.name in Handset(client, "+447400555201").send("HELLO").text  # remembered
    _elsewhere(
        session,
        update(Organisation.__table__)
        .where(Organisation.__table__.c.id == demo.id)
        .values(name="Renamed Council"),
    )
    welcome = Handset(client, "+447400555202").send("HELLO").text
    assert "Renamed Council" in welcome, welcome


def test_content_published_by_another_process_is_what_the_next_text_sees(
    client, session, demo
) -> None:
    phone = Handset(client, "+447400555210")
    phone.send("HELLO")
    assert "Carers Network" in phone.send("GROUPS").text  # cached under this content version
    network = Network.__table__
    _elsewhere(
        session,
        update(network).where(network.c.slug == "carers").values(name="Unpaid Carers"),
    )
    # What the console's commit does to the organisation (service.content.version).
    _elsewhere(
        session,
        update(Organisation.__table__)
        .where(Organisation.__table__.c.id == demo.id)
        .values(content_version=new_version()),
    )
    listed = phone.send("GROUPS").text
    assert "Unpaid Carers" in listed and "Carers Network" not in listed, listed


def test_a_number_moved_to_another_organisation_is_answered_as_that_ones(
    client, session, demo
) -> None:
    Handset(client, "+447400555203").send("HELLO")  # remembered as the demo council's
    other = create_organisation(session, slug="other-council", name="Other Council")
    session.execute(
        update(OrganisationNumber)
        .where(OrganisationNumber.e164 == DEMO_NUMBER)
        .values(organisation_id=other.id)
    )
    session.commit()
    for body in ("HELLO", "GROUPS", "PLEASE HELP"):  # a reading one, an unknown one
        reply = Handset(client, "+447400555204").send(body)
        assert reply.status == 200
    assert "Other Council" in Handset(client, "+447400555205").send("HELLO").text
    session.expire_all()
    assert find_contact(session, other.id, "+447400555204") is not None
    assert find_contact(session, demo.id, "+447400555204") is None


def test_a_member_returning_after_the_number_moved_is_not_found_in_the_old_organisation(
    client, session, demo
) -> None:
    member = Handset(client, "+447400555206")
    member.send("HELLO")
    member.send("JOIN CARERS")
    other = create_organisation(session, slug="other-council", name="Other Council")
    session.execute(
        update(OrganisationNumber)
        .where(OrganisationNumber.e164 == DEMO_NUMBER)
        .values(organisation_id=other.id)
    )
    session.commit()
    # A first text, to the other council: its welcome, not the demo member's groups.
    assert "Other Council" in member.send("GROUPS").text


def test_a_number_no_organisation_owns_any_longer_is_refused(client, session, demo) -> None:
    Handset(client, "+447400555207").send("HELLO")
    number = session.scalar(
        select(OrganisationNumber).where(OrganisationNumber.e164 == DEMO_NUMBER)
    )
    session.delete(number)
    session.commit()
    assert Handset(client, "+447400555207").send("EVENTS").status == 404
    assert Handset(client, "+447400555208").send("HELLO").status == 404


def test_a_speak_up_text_is_answered_for_the_organisation_as_it_is_now(
    client, session, demo
) -> None:
    Handset(client, "+447400555209").send("HELLO")
    other = create_organisation(session, slug="other-council", name="Other Council")
    session.execute(
        update(OrganisationNumber)
        .where(OrganisationNumber.e164 == DEMO_NUMBER)
        .values(organisation_id=other.id)
    )
    session.commit()
    reply = Handset(client, "+447400555209").send("SPEAKUP my manager shouts at us all")
    assert reply.status == 200
    case = session.scalars(select(SpeakUpCase)).one()
    assert case.organisation_id == other.id


def test_a_number_whose_organisation_keeps_changing_is_a_503_that_keeps_nothing(
    client, session, demo, monkeypatch, caplog
) -> None:
    """Found changed on the text's second try too: asked to come back, not a 500."""
    phone = Handset(client, "+447400555230")
    phone.send("HELLO")
    texts_before = session.scalar(select(func.count()).select_from(InboundMessage))
    tries: list[int] = []

    def changed_every_time(org, to, values) -> None:
        tries.append(1)
        raise OrganisationChanged("changed again")

    monkeypatch.setattr(lookup, "confirm_organisation", changed_every_time)
    with caplog.at_level(logging.DEBUG):  # every line, not only the warning
        reply = phone.send("EVENTS")
    assert reply.status == 503, reply.xml
    assert len(tries) == 2
    assert "try again" in reply.xml
    assert "organisation kept changing" in caplog.text
    assert "+447400555230" not in caplog.text and "EVENTS" not in caplog.text
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(InboundMessage)) == texts_before
