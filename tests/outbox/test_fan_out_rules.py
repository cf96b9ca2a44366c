"""The database writes a broadcast's rows in batches: every per-person rule still holds.

Each row's text, language, networks and segments are compared with what rendering that
person in Python gives (recipients() and Renderer, the fan-out's rules before the database
wrote the rows), for each kind of audience, in batches small enough to split it several times.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.broadcasts.held import choose_held
from service.broadcasts.operations import (
    create_broadcast,
    fan_out_batch,
    recipients,
    renderer,
    start_broadcast,
)
from service.contacts.operations import join_network, opt_out, set_discreet
from service.content.operations import set_translation
from service.crypto import vault_of
from service.messaging.segments import count
from service.outbox.models import OutboundMessage
from tests.support import factories
from tests.support.outbox import MORNING

BATCH = 2
BODY = "Meeting moved to Thursday at the depot canteen."
POLISH = "Spotkanie przeniesione na czwartek."


@pytest.fixture
def council(session):
    """Two networks (one sensitive, with a discreet name), a site, and people of every kind."""
    org = factories.create_organisation(session)
    other = factories.create_organisation(session)
    depot = factories.create_site(session, org=org)
    carers = factories.create_network(session, org=org, name="Carers Network")
    lgbt = factories.create_network(
        session, org=org, name="LGBT+ Network", sensitive=True, discreet_name="Thursday group"
    )
    set_translation(session, lgbt, "discreet_name", "pl", "Grupa czwartkowa")
    set_translation(session, lgbt, "name", "ur", "ایل جی بی ٹی نیٹ ورک")
    people = {}

    def person(name, language="en", networks=(), discreet=False, site=None, of=org):
        contact = factories.create_contact(session, org=of, language=language)
        for network in networks:
            join_network(session, contact, network, channel="sms", consent_version="v1")
        if discreet:
            set_discreet(session, contact, True)
        contact.site_id = site.id if site else None
        people[name] = contact
        return contact

    person("carer", networks=[carers], site=depot)
    person("open lgbt", networks=[lgbt])
    person("discreet lgbt", networks=[lgbt], discreet=True)
    person("discreet polish", "pl", networks=[lgbt], discreet=True, site=depot)
    person("urdu", "ur", networks=[lgbt])
    person("both", networks=[lgbt, carers], discreet=True)
    person("no network", site=depot)
    person("romanian, held", "ro", networks=[carers], site=depot)
    opt_out(session, person("opted out", networks=[carers], site=depot))
    person("unusable", networks=[carers], site=depot).unusable_at = MORNING
    # A language the service no longer offers: read in English, as the renderer gives it.
    person("old language", networks=[carers]).language = "fr"
    person("other council", site=None, of=other)
    session.flush()
    return org, depot, carers, lgbt, people


def _written(session, broadcast) -> dict[int, OutboundMessage]:
    rows = session.scalars(
        select(OutboundMessage).where(OutboundMessage.broadcast_id == broadcast.id)
    ).all()
    return {row.contact_id: row for row in rows}


def _fan_out(session, app, broadcast) -> dict[int, OutboundMessage]:
    config = app.config["FRONTLINE"]
    start_broadcast(session, broadcast, config, MORNING)
    batches = 0
    while fan_out_batch(session, broadcast, config, MORNING, size=BATCH):
        batches += 1
    assert batches >= 2  # the audience really was split
    return _written(session, broadcast)


def _as_python_renders_them(session, broadcast, rows) -> None:
    """Every row is what rendering its person one by one gives; nobody is missing or extra."""
    vault = vault_of(session)
    people = recipients(session, broadcast)
    render = renderer(session, broadcast, {p.language for p in people})
    assert sorted(rows) == [p.contact_id for p in people]
    assert broadcast.recipients == len(people) == broadcast.fanned_out
    for p in people:
        row, text = rows[p.contact_id], render.text(p)
        assert vault.decrypt(row.body_encrypted) == text
        assert row.body_hash == vault.blind_index(text)
        assert row.segments == count(text).segments
        assert row.language == p.language
        assert (row.network_ids or None) == (list(p.network_ids) or None)
        assert row.dedupe_key == f"broadcast:{broadcast.id}:{p.contact_id}"
        assert (row.status, row.kind, row.organisation_id) == (
            "pending",
            "broadcast",
            broadcast.organisation_id,
        )


def test_a_network_broadcast_keeps_every_persons_rules(session, app, council) -> None:
    org, _depot, carers, lgbt, people = council
    broadcast = create_broadcast(
        session, org, body=BODY, audience="networks", network_ids=[carers.id, lgbt.id]
    )
    set_translation(session, broadcast, "body", "pl", POLISH)
    choose_held(session, broadcast, ["ro"])
    rows = _fan_out(session, app, broadcast)
    _as_python_renders_them(session, broadcast, rows)
    vault = vault_of(session)

    def text(name):
        return vault.decrypt(rows[people[name].id].body_encrypted)

    assert text("carer") == f"Carers Network: {BODY}"
    assert text("open lgbt") == f"LGBT+ Network: {BODY}"
    # Discreet members of the sensitive network never see its name, in their language too.
    assert text("discreet lgbt") == f"Thursday group: {BODY}"
    assert text("discreet polish") == f"Grupa czwartkowa: {POLISH}"
    assert text("urdu") == f"ایل جی بی ٹی نیٹ ورک: {BODY}"
    assert "LGBT" not in text("both")  # the first targeted network names them, discreetly
    assert rows[people["both"].id].network_ids == sorted([carers.id, lgbt.id])
    assert text("old language") == f"Carers Network: {BODY}"
    assert rows[people["old language"].id].language == "fr"
    for absent in ("no network", "romanian, held", "opted out", "unusable", "other council"):
        assert people[absent].id not in rows, absent


def test_an_organisation_broadcast_keeps_every_persons_rules(session, app, council) -> None:
    org, _depot, _carers, _lgbt, people = council
    broadcast = create_broadcast(session, org, body=BODY, audience="organisation", urgent=True)
    set_translation(session, broadcast, "body", "pl", POLISH)
    rows = _fan_out(session, app, broadcast)
    _as_python_renders_them(session, broadcast, rows)
    assert people["no network"].id in rows and people["romanian, held"].id in rows
    assert all(row.urgent and row.network_ids is None for row in rows.values())
    for absent in ("opted out", "unusable", "other council"):
        assert people[absent].id not in rows, absent


def test_a_site_broadcast_keeps_every_persons_rules(session, app, council) -> None:
    org, depot, _carers, _lgbt, people = council
    broadcast = create_broadcast(session, org, body=BODY, audience="site", site_id=depot.id)
    rows = _fan_out(session, app, broadcast)
    _as_python_renders_them(session, broadcast, rows)
    here = {"carer", "discreet polish", "no network", "romanian, held"}
    assert sorted(rows) == sorted(people[name].id for name in here)


def test_a_held_language_released_mid_fan_out_is_sent_once_to_its_people(
    session, app, council
) -> None:
    from service.broadcasts.held import release_held

    org, _depot, carers, _lgbt, people = council
    config = app.config["FRONTLINE"]
    broadcast = create_broadcast(
        session, org, body=BODY, audience="networks", network_ids=[carers.id]
    )
    choose_held(session, broadcast, ["ro"])
    start_broadcast(session, broadcast, config, MORNING)
    fan_out_batch(session, broadcast, config, MORNING, size=BATCH)
    release_held(session, broadcast, "ro", "Întâlnirea s-a mutat joi.")
    while fan_out_batch(session, broadcast, config, MORNING, size=BATCH):
        pass
    rows = _written(session, broadcast)
    _as_python_renders_them(session, broadcast, rows)
    romanian = rows[people["romanian, held"].id]
    assert vault_of(session).decrypt(romanian.body_encrypted).endswith("s-a mutat joi.")
