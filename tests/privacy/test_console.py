"""The console's privacy pages: admins only, confirmed, audited, CSRF-protected, and discreet."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from service.audit.models import AuditEntry
from service.contacts.operations import find_contact, get_or_create_contact
from service.organisations.models import Organisation
from tests.support.sms import Handset

NUMBER, NATIONAL = "+447400111222", "07400 111222"


@pytest.fixture
def member(client, demo, session):
    """Someone who joined a network by text."""
    Handset(client, NUMBER).send("JOIN CAREERS")
    return find_contact(session, demo.id, NUMBER)


@pytest.fixture
def admin(console, managers):
    """The console, signed in as an admin."""
    console.sign_in(managers["admin"].email, managers["admin"].totp_secret)
    return console


def test_finding_a_number_shows_counts_and_asks_before_erasing(admin, member):
    page = admin.post("/console/privacy", {"phone": "+44 7400 111222"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "What we hold about 07400 111222" in html  # the number the admin just typed
    assert "Network memberships (with consent records)</th><td>1<" in html
    assert "I have checked this is the person who asked" in html


def test_erasing_without_the_confirmation_erases_nothing(admin, member, session, demo):
    refused = admin.post(f"/console/privacy/{member.id}/erase", {}, token_from="/console/privacy")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Tick the box to confirm the erasure." in html
    # Not typed on this page, so not shown in full.
    assert "111222" not in html and "•••• ••• 222" in html
    assert find_contact(session, demo.id, NUMBER) is not None
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "data.erase")) is None


def test_erasing_without_a_csrf_token_is_refused(admin, member, session, demo):
    from tests.support.settings import PUBLIC_URL

    refused = admin.client.post(
        f"/console/privacy/{member.id}/erase",
        data={"confirm": "y"},
        base_url=PUBLIC_URL,
        headers={"Referer": PUBLIC_URL + "/console/privacy"},
    )
    assert refused.status_code == 400
    assert find_contact(session, demo.id, NUMBER) is not None


def test_erasure_is_audited_without_the_number(admin, member, session, demo):
    done = admin.post(
        f"/console/privacy/{member.id}/erase", {"confirm": "y"}, token_from="/console/privacy"
    )
    assert done.status_code == 302
    after = admin.get(done.headers["Location"]).get_data(as_text=True)
    assert f"it was contact {member.id}" in after and "111222" not in after
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "data.erase"))
    assert entry.manager_id is not None
    # "twilio" is the reference of the deletions owed at Twilio (a random one, not the number).
    assert entry.detail == {
        "contact": member.id,
        "rows": {"contact": 1, "memberships": 1, "inbound": 1},
        "twilio": entry.detail["twilio"],
    }
    assert len(entry.detail["twilio"]) == 32
    again = admin.post("/console/privacy", {"phone": NATIONAL}).get_data(as_text=True)
    assert "We hold nothing about" in again


@pytest.mark.parametrize("role", ["network_lead", "site_manager", "guardian"])
def test_only_admins_export_or_erase(console, managers, member, session, demo, role):
    manager = managers[role]
    console.sign_in(manager.email, manager.totp_secret)
    assert console.get("/console/privacy").status_code == 403
    for path in (
        f"/console/privacy/{member.id}/erase",
        f"/console/privacy/{member.id}/export.json",
    ):
        assert console.post(path, {"confirm": "y"}, token_from="/console/").status_code == 403
    assert find_contact(session, demo.id, NUMBER) is not None


def test_an_admin_cannot_reach_another_organisations_contact(admin, session):
    other = Organisation(slug="elsewhere", name="Elsewhere Council")
    session.add(other)
    session.flush()
    theirs, _ = get_or_create_contact(session, other.id, NUMBER)
    session.flush()
    for path in (f"/console/privacy/{theirs.id}/erase", f"/console/privacy/{theirs.id}/export.pdf"):
        response = admin.post(path, {"confirm": "y"}, token_from="/console/privacy")
        assert response.status_code == 404
    # Found by number only within the admin's own organisation.
    found = admin.post("/console/privacy", {"phone": NATIONAL}).get_data(as_text=True)
    assert "We hold nothing about" in found


def test_a_number_that_is_not_a_number_is_explained(admin):
    page = admin.post("/console/privacy", {"phone": "07400"})
    assert page.status_code == 400
    assert "That is not a UK number" in page.get_data(as_text=True)


def test_exports_are_audited_without_the_number(admin, member, session):
    admin.post(f"/console/privacy/{member.id}/export.json", {}, token_from="/console/privacy")
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "data.export"))
    assert entry.detail == {"contact": member.id, "format": "json"}
    assert "111222" not in json.dumps(entry.detail)


def test_every_number_look_up_is_audited_without_the_number(admin, member, session):
    # Someone with an admin's sign-in could test numbers one by one to learn who is a member.
    admin.post("/console/privacy", {"phone": NATIONAL})
    admin.post("/console/privacy", {"phone": "07400 999888"})
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "data.lookup").order_by(AuditEntry.id)
    ).all()
    assert [e.detail for e in entries] == [
        {"found": True, "contact": member.id},
        {"found": False, "contact": None},
    ]
    assert all(e.manager_id is not None for e in entries)
    assert not any(d in json.dumps(e.detail) for e in entries for d in ("111222", "999888"))
