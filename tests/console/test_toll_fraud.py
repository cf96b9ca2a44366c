"""Toll fraud from the console side: the numbers leads give, the daily budget, kiosk credentials."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from service.audit.models import AuditEntry
from service.content.models import Event, Network
from service.managers.models import Manager
from service.organisations.models import Site
from tests.support.console import event_form

KIOSK = "/kiosk/eastfield-depot/api/"
# A refused request rolls back: the demo council must outlive it.
pytestmark = pytest.mark.usefixtures("demo_committed")


@pytest.fixture
def config(config):
    """A daily budget small enough to spend in a test."""
    return config.replace(DAILY_CODE_BUDGET=3)


def signed_in(console, managers, role: str):
    console.sign_in(managers[role].email, managers[role].totp_secret)
    return console


def join(client, session, phone: str, *, address: str, headers=None):
    careers = session.scalar(select(Network.id).where(Network.slug == "careers"))
    return client.post(
        KIOSK + "start",
        json={"action": "join", "network": careers, "phone": phone},
        environ_base={"REMOTE_ADDR": address},
        headers=headers or {},
    )


# Before: each of these was saved, and "Call back" rang it at the organisation's expense.
@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("0909 879 0000", "premium"),
        ("0871 123 4567", "premium"),
        ("07624 123456", "own country"),
        ("+1 202 555 0123", "own country"),
    ],
)
def test_a_lead_cannot_have_a_premium_or_foreign_phone_rung(
    console, managers, session, typed, says
):
    lead = signed_in(console, managers, "network_lead")
    refused = lead.post(
        "/console/callbacks/phone", {"phone": typed}, token_from="/console/callbacks"
    )
    assert refused.status_code == 400 and says in refused.get_data(as_text=True)
    assert session.get(Manager, managers["network_lead"].id).phone_encrypted is None
    saved = lead.post(
        "/console/callbacks/phone", {"phone": "07400 123456"}, token_from="/console/callbacks"
    )
    assert saved.status_code == 302


@pytest.mark.parametrize("typed", ["0909 879 0000", "07624 123456", "+353 1 234 5678"])
def test_an_events_dial_in_cannot_be_premium_or_foreign(console, managers, session, typed):
    lead = signed_in(console, managers, "network_lead")
    minds = session.scalar(select(Network.id).where(Network.slug == "minds"))
    before = session.scalar(select(func.count()).select_from(Event))
    refused = lead.post(
        "/console/content/events/new",
        event_form(network=str(minds), title="Dial-in test", dial_in_number=typed),
    )
    # Before: saved, printed on posters and read out by the phone menu to every member.
    assert refused.status_code == 400
    assert "dial-in number must" in refused.get_data(as_text=True).lower()
    assert session.scalar(select(func.count()).select_from(Event)) == before
    saved = lead.post(
        "/console/content/events/new",
        event_form(network=str(minds), title="Dial-in test", dial_in_number="0800 123 4567"),
    )
    assert saved.status_code == 302


def test_the_spent_budget_is_audited_and_shown_on_the_console(console, managers, session, client):
    admin = signed_in(console, managers, "admin")
    assert "data-budget-spent" not in admin.get("/console/").get_data(as_text=True)
    for n in range(3):
        assert join(client, session, f"07400 7000{n:02d}", address=f"10.0.6.{n}").status_code == 200
    for n in range(2):
        refused = join(client, session, f"07400 7001{n:02d}", address=f"10.0.7.{n}")
        assert refused.status_code == 429 and refused.get_json()["error"] == "too_many"
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "texts.budget_spent")
    ).all()
    assert [e.detail for e in entries] == [{"budget": 3}]
    home = admin.get("/console/").get_data(as_text=True)
    assert "data-budget-spent" in home and "FRONTLINE_DAILY_CODE_BUDGET" in home


def test_a_site_manager_issues_the_kiosk_its_credential(console, managers, session, client):
    manager = signed_in(console, managers, "site_manager")
    eastfield = session.scalar(select(Site).where(Site.slug == "eastfield-depot"))
    page = manager.post(
        f"/console/kiosks/{eastfield.id}/credential", {}, token_from="/console/kiosks"
    )
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    link = re.search(
        r"(https://\S+/kiosk/eastfield-depot/register)#([\w-]+)", page.get_data(as_text=True)
    )
    assert link, page.get_data(as_text=True)[:2000]
    assert client.get(link.group(1)).status_code == 200
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "kiosk.credential")).one()
    assert entry.detail == {"site": "eastfield-depot"}
    # The page never shows it again.
    assert link.group(2) not in manager.get("/console/kiosks").get_data(as_text=True)
    registered = {"X-Kiosk-Credential": link.group(2)}
    statuses = [
        join(
            client, session, f"07400 8000{n:02d}", address="10.0.8.1", headers=registered
        ).status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 200]


def test_leads_cannot_issue_kiosk_credentials(console, managers, session):
    lead = signed_in(console, managers, "network_lead")
    eastfield = session.scalar(select(Site.id).where(Site.slug == "eastfield-depot"))
    assert (
        lead.post(f"/console/kiosks/{eastfield}/credential", {}, token_from="/console/").status_code
        == 403
    )
