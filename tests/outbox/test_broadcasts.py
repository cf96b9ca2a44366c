"""Broadcasts: audience, one copy per person, language and discretion, preview, schedule, cancel."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from service.broadcasts.operations import (
    BroadcastStateError,
    cancel_broadcast,
    create_broadcast,
    fan_out_batch,
    fan_out_due,
    send_broadcast,
)
from service.broadcasts.preview import preview
from service.contacts.operations import join_network, opt_out, set_discreet
from service.content.operations import set_translation
from service.errors import ValidationError
from service.outbox.models import OutboundMessage
from tests.support import factories
from tests.support.outbox import MORNING


def _bodies(session, broadcast) -> dict[int, str]:
    from service.crypto import vault_of

    vault = vault_of(session)
    rows = session.scalars(
        select(OutboundMessage).where(OutboundMessage.broadcast_id == broadcast.id)
    ).all()
    return {r.contact_id: vault.decrypt(r.body_encrypted) for r in rows}


@pytest.fixture
def two_networks(session):
    org = factories.create_organisation(session)
    carers = factories.create_network(session, org=org, name="Carers Network")
    lgbt = factories.create_network(
        session, org=org, name="LGBT+ Network", sensitive=True, discreet_name="Thursday group"
    )
    return org, carers, lgbt


def test_someone_in_two_targeted_networks_gets_it_once(session, two_networks, app) -> None:
    org, carers, lgbt = two_networks
    both = factories.create_contact(session, org=org)
    one = factories.create_contact(session, org=org)
    join_network(session, both, carers, channel="sms")
    join_network(session, both, lgbt, channel="sms", consent_version="v1")
    join_network(session, one, carers, channel="sms")
    broadcast = create_broadcast(
        session,
        org,
        body="Meeting moved to Thursday.",
        audience="networks",
        network_ids=[carers.id, lgbt.id],
    )
    written = send_broadcast(session, broadcast, app.config["FRONTLINE"], MORNING)
    assert written == 2 == broadcast.recipients
    with pytest.raises(BroadcastStateError):
        send_broadcast(session, broadcast, app.config["FRONTLINE"], MORNING)


def test_each_person_reads_it_in_their_language_and_discretion(session, two_networks, app) -> None:
    org, _carers, lgbt = two_networks
    open_member = factories.create_contact(session, org=org)
    discreet = factories.create_contact(session, org=org, language="pl")
    for person in (open_member, discreet):
        join_network(session, person, lgbt, channel="sms", consent_version="v1")
    set_discreet(session, discreet, True)
    broadcast = create_broadcast(
        session, org, body="Social on Friday.", audience="networks", network_ids=[lgbt.id]
    )
    set_translation(session, broadcast, "body", "pl", "Spotkanie w piątek.")
    set_translation(session, lgbt, "discreet_name", "pl", "Grupa czwartkowa")
    send_broadcast(session, broadcast, app.config["FRONTLINE"], MORNING)
    bodies = _bodies(session, broadcast)
    assert bodies[open_member.id] == "LGBT+ Network: Social on Friday."
    assert bodies[discreet.id] == "Grupa czwartkowa: Spotkanie w piątek."


def test_opted_out_people_are_not_in_the_audience(session, app) -> None:
    org = factories.create_organisation(session)
    people = [factories.create_contact(session, org=org) for _ in range(3)]
    opt_out(session, people[0])
    broadcast = create_broadcast(session, org, body="Hello all", audience="organisation")
    assert send_broadcast(session, broadcast, app.config["FRONTLINE"], MORNING) == 2


def test_a_site_broadcast_reaches_that_sites_people(session, app) -> None:
    org = factories.create_organisation(session)
    depot = factories.create_site(session, org=org)
    here = factories.create_contact(session, org=org)
    factories.create_contact(session, org=org)
    here.site_id = depot.id
    broadcast = create_broadcast(
        session, org, body="Gritters out at 5", audience="site", site_id=depot.id
    )
    send_broadcast(session, broadcast, app.config["FRONTLINE"], MORNING)
    assert list(_bodies(session, broadcast)) == [here.id]


def test_preview_counts_people_segments_and_cost(session, two_networks, app) -> None:
    org, carers, _lgbt = two_networks
    for language in ("en", "en", "pl"):
        person = factories.create_contact(session, org=org, language=language)
        join_network(session, person, carers, channel="sms")
    broadcast = create_broadcast(
        session, org, body="x" * 150, audience="networks", network_ids=[carers.id]
    )
    set_translation(session, broadcast, "body", "pl", "ż" * 60)
    shown = preview(session, broadcast, app.config["FRONTLINE"].replace(SEGMENT_COST_PENCE="4"))
    assert shown.recipients == 3
    assert shown.by_language == {"en": 2, "pl": 1}
    # "Carers Network: " + 150 x = 166 GSM-7 chars: 2 segments; 16 + 60 UCS-2: 2 segments.
    assert shown.segments_by_language == {"en": 2, "pl": 2}
    assert (shown.total_segments, shown.estimated_cost_pence) == (6, 24.0)
    assert session.scalar(select(func.count()).select_from(OutboundMessage)) == 0


def test_cancelling_stops_what_has_not_been_sent(session, app, fake, worker, queued) -> None:
    org = factories.create_organisation(session)
    for _ in range(4):
        factories.create_contact(session, org=org)
    broadcast = create_broadcast(session, org, body="Cancelled soon", audience="organisation")
    send_broadcast(session, broadcast, app.config["FRONTLINE"], MORNING)
    session.commit()
    queued[:] = queued[:1]  # the worker gets through one before the manager cancels
    worker.run()
    assert cancel_broadcast(session, broadcast) == 3
    session.commit()
    statuses = sorted(
        session.scalars(
            select(OutboundMessage.status).where(OutboundMessage.broadcast_id == broadcast.id)
        ).all()
    )
    assert statuses == ["cancelled", "cancelled", "cancelled", "sent"]
    assert len(fake.sent) == 1


def test_a_scheduled_broadcast_goes_when_its_time_comes(session, app) -> None:
    org = factories.create_organisation(session)
    factories.create_contact(session, org=org)
    later = MORNING + dt.timedelta(hours=3)
    broadcast = create_broadcast(
        session, org, body="Later", audience="organisation", scheduled_for=later
    )
    config = app.config["FRONTLINE"]
    assert send_broadcast(session, broadcast, config, MORNING) == 0
    assert broadcast.status == "scheduled"
    assert fan_out_due(session, config, MORNING + dt.timedelta(hours=1)) == 0
    assert fan_out_due(session, config, later) == 1
    assert broadcast.status == "sending"
    # The worker counts the audience as it writes the first batch, not the scheduler.
    assert fan_out_batch(session, broadcast, config, later) == 1
    assert broadcast.recipients == 1 == broadcast.fanned_out


def test_in_quiet_hours_rows_wait_for_the_morning(session, app) -> None:
    org = factories.create_organisation(session)
    factories.create_contact(session, org=org)
    night = dt.datetime(2026, 12, 2, 23, 0, tzinfo=dt.UTC)  # 23:00 GMT
    broadcast = create_broadcast(session, org, body="Tomorrow", audience="organisation")
    send_broadcast(session, broadcast, app.config["FRONTLINE"], night)
    row = session.scalars(select(OutboundMessage)).one()
    assert row.not_before == dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC)


def test_bad_audiences_are_refused(session) -> None:
    org = factories.create_organisation(session)
    other = factories.create_organisation(session)
    foreign = factories.create_network(session, org=other)
    with pytest.raises(ValidationError, match="another organisation"):
        create_broadcast(session, org, body="x", audience="networks", network_ids=[foreign.id])
    with pytest.raises(ValidationError, match="at least one network"):
        create_broadcast(session, org, body="x", audience="networks", network_ids=[])
    with pytest.raises(ValidationError, match="body"):
        create_broadcast(session, org, body="  ", audience="organisation")


def test_a_held_language_is_honoured_by_a_scheduled_fan_out_and_only_when_untranslated(
    session, two_networks, app
) -> None:
    from service.broadcasts.held import choose_held, held_people

    org, carers, _ = two_networks
    config = app.config["FRONTLINE"]
    english = factories.create_contact(session, org=org)
    urdu = factories.create_contact(session, org=org, language="ur")
    for contact in (english, urdu):
        join_network(session, contact, carers, channel="sms")
    due = MORNING + dt.timedelta(days=2)
    broadcast = create_broadcast(
        session, org, body="Depot open late", audience="organisation", scheduled_for=due
    )
    set_translation(session, broadcast, "body", "pl", "Zajezdnia otwarta dłużej")
    with pytest.raises(ValidationError):
        choose_held(session, broadcast, ["pl"])  # Polish has its text: there is nobody to hold
    assert choose_held(session, broadcast, ["ur"]) == ["ur"]
    assert held_people(session, broadcast) == {"ur": 1}
    assert send_broadcast(session, broadcast, config, MORNING) == 0
    assert broadcast.status == "scheduled"
    # The schedule comes due: the workers' fan-out writes rows for everyone but Urdu readers.
    assert fan_out_due(session, config, due) == 1
    while fan_out_batch(session, broadcast, config, due):
        pass
    rows = session.scalars(
        select(OutboundMessage).where(OutboundMessage.broadcast_id == broadcast.id)
    ).all()
    assert [row.contact_id for row in rows] == [english.id]
