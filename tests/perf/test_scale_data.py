"""The national-scale generator (bench/scale_data.py) at a tiny scale: the service reads its rows.

`make bench-scale` runs it at a million contacts; these check, in seconds, that what it writes
is what the service itself would have written (a generated member texting EVENTS gets their
own networks' events) and that it reports its batches one line each when not on a terminal.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from bench import scale_data
from service.contacts.models import Contact, Membership
from service.content.models import Event, Network
from service.db import utcnow
from service.organisations.models import Organisation
from service.reach.models import ReachTally
from service.sms.models import InboundMessage
from tests.support.sms import Handset

SCALE = 0.0004  # 400 contacts, about 120 memberships, 2,000 inbound rows
BATCH = 150


@pytest.fixture
def generated(app, session, demo):
    """The data set at SCALE, written through the command as `make bench-scale` runs it."""
    result = CliRunner().invoke(
        scale_data.main, ["--scale", str(SCALE), "--batch-size", str(BATCH)], obj=app
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_a_generated_member_texting_events_gets_their_own_networks_events(
    generated, client, session
):
    org = session.scalars(select(Organisation).where(Organisation.slug == "scale-1")).one()
    member, network = session.execute(
        select(Contact, Network)
        .join(Membership, Membership.contact_id == Contact.id)
        .join(Network, Network.id == Membership.network_id)
        .where(
            Contact.organisation_id == org.id,
            Network.sensitive.is_(False),
            Contact.discreet.is_(False),
        )
        .order_by(Contact.id)
    ).first()
    assert member.phone.startswith("+4475")  # the number decrypts, as the service stores it
    titles = set(session.scalars(select(Event.title).where(Event.organisation_id == org.id)))
    mine = session.scalars(select(Event.title).where(Event.network_id == network.id)).one()

    reply = Handset(client, member.phone).send("EVENTS", to=org.numbers[0].e164)

    assert reply.status == 200
    assert mine in reply.text
    assert not [t for t in titles - {mine} if t in reply.text]  # not other networks' events


def test_the_generated_log_is_in_time_order_and_all_past_retention(generated, session, config):
    # As a real log arrives: a purge that takes the oldest rows first finds them together.
    # At random dates each batch of 500 deleted rows from 500 pages (1,186 rows/s at scale).
    times = session.scalars(
        select(InboundMessage.received_at)
        .where(InboundMessage.message_sid.startswith("SMbench"))
        .order_by(InboundMessage.id)
    ).all()
    assert len(times) == 2000 and times == sorted(times)
    kept = dt.timedelta(days=max(config.RETAIN_INBOUND_DAYS, 90))
    assert max(times) < utcnow() - kept
    assert max(times) - min(times) > dt.timedelta(days=700)  # spread over the two years


def test_the_generator_writes_the_plan_and_a_second_run_adds_nothing(app, generated, session):
    def counts() -> tuple[int, ...]:
        return tuple(
            session.scalar(select(func.count()).select_from(model).where(*where))
            for model, where in (
                (Contact, (Contact.phone_index.is_not(None),)),
                (Membership, ()),
                (InboundMessage, (InboundMessage.message_sid.startswith("SMbench"),)),
                (ReachTally, ()),
                (Organisation, ()),
            )
        )

    first = counts()
    assert first[0] == 400 and first[2] == 2000 and first[4] == 5
    assert 80 < first[1] < 160  # about 300 memberships a thousand contacts
    rerun = CliRunner().invoke(scale_data.main, ["--scale", str(SCALE)], obj=app)
    assert rerun.exit_code == 0, rerun.output
    assert "written (" not in rerun.output  # no batch: everything was there
    assert counts() == first


def test_progress_is_one_line_per_batch_when_not_on_a_terminal(generated):
    lines = [line for line in generated.splitlines() if " written (" in line]
    assert [re.sub(r" \([\d.]+ rows/s\)", "", line) for line in lines] == [
        "contacts: 150 of 400 written",
        "contacts: 300 of 400 written",
        "contacts: 400 of 400 written",
        "inbound log: 750 of 2000 written",
        "inbound log: 1500 of 2000 written",
        "inbound log: 2000 of 2000 written",
    ]
