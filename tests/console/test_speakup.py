"""The guardian's console: only they see cases; replies reach the worker by code, not number."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from service.audit.models import AuditEntry
from service.contacts.models import Contact
from service.speakup.models import SpeakUpCase
from tests.support.console import page_text
from tests.support.sms import Handset
from tests.support.speakup import raise_at_kiosk


@pytest.mark.parametrize("role", ["admin", "network_lead", "site_manager"])
def test_only_the_guardian_sees_cases(console, managers, demo, client, role):
    raise_at_kiosk(client)
    manager = managers[role]
    console.sign_in(manager.email, manager.totp_secret)
    assert console.get("/console/speak-up").status_code == 403


def test_the_guardian_replies_and_the_worker_reads_it_by_text(
    console, managers, client, demo, session
):
    code = raise_at_kiosk(client).get_json()["code"]
    case = session.scalars(select(SpeakUpCase)).one()
    guardian = managers["guardian"]
    console.sign_in(guardian.email, guardian.totp_secret)
    listing = page_text(console.get("/console/speak-up"))
    assert f"Case {case.id}" in listing and "Waiting for your reply" in listing
    path = f"/console/speak-up/{case.id}"
    assert "The forklift brakes are failing" in page_text(console.get(path))
    sent = console.post(path, {"body": "Thank you. The brakes are booked for Monday."})
    assert sent.status_code == 302
    # Text CASE and the code from any phone: the reply comes back, and no contact is made.
    reply = Handset(client, "+447400333444").send(f"CASE {code}")
    assert reply.texts == ["Guardian: Thank you. The brakes are booked for Monday."]
    assert session.scalar(select(func.count()).select_from(Contact)) == 0
    closed = console.post(f"{path}/status", {"status": "closed"}, token_from=path)
    assert closed.status_code == 302 and case.status == "closed"
    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["speakup.reply", "speakup.closed"]
    details = session.scalars(
        select(AuditEntry.detail).where(AuditEntry.action.like("speakup.%"))
    ).all()
    assert details == [{"case": case.id}, {"case": case.id}]
