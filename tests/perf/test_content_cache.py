"""The per-process content cache: a manager's change is what the very next text sees."""

from __future__ import annotations

from sqlalchemy import select

from service.content.models import Event, Network
from service.content.operations import set_keywords, set_translation, update_event
from service.content.queries import networks
from service.organisations.models import Organisation
from tests.support.sms import Handset


def _network(session, keyword: str) -> Network:
    found = session.scalars(select(Network)).all()
    return next(n for n in found if keyword in [k.word for k in n.keywords])


def test_a_renamed_group_is_listed_under_its_new_name_on_the_next_text(client, demo, session):
    phone = Handset(client, "+447400555101")
    phone.send("HELLO")
    assert "Carers Network" in phone.send("GROUPS").text
    carers = _network(session, "CARERS")
    carers.name = "Unpaid Carers"
    session.commit()
    listed = phone.send("GROUPS").text
    assert "Unpaid Carers" in listed and "Carers Network" not in listed


def test_a_new_keyword_works_on_the_next_text(client, demo, session):
    phone = Handset(client, "+447400555102")
    phone.send("HELLO")
    assert "CARING" not in phone.send("GROUPS").text
    set_keywords(session, _network(session, "CARERS"), {"en": ["CARERS", "CARING"]})
    session.commit()
    assert "Carers Network" in phone.send("CARING").text


def test_a_translation_removed_with_a_core_delete_is_not_served_from_the_cache(demo, session):
    carers = _network(session, "CARERS")
    set_translation(session, carers, "name", "pl", "Sieć opiekunów")
    session.commit()
    org_id = carers.organisation_id
    assert any(n.name == "Sieć opiekunów" for n in networks(session, org_id, "pl"))
    set_translation(session, carers, "name", "pl", "")  # deletes the row with a Core DELETE
    session.commit()
    assert not any(n.name == "Sieć opiekunów" for n in networks(session, org_id, "pl"))


def test_a_renamed_event_shows_its_new_title_on_the_next_text(client, demo, session):
    phone = Handset(client, "+447400555103")
    phone.send("HELLO")
    before = phone.send("EVENTS").text
    org = session.scalars(select(Organisation)).first()
    listed = session.scalars(select(Event).where(Event.organisation_id == org.id)).all()
    event = next(e for e in listed if e.title in before)
    update_event(session, event, title="Moved meeting XYZ")
    session.commit()
    after = phone.send("EVENTS").text
    assert "Moved meeting XYZ" in after and "Moved meeting XYZ" not in before
