"""Kiosk settings: a site manager changes only their own site's kiosk, and it is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.audit.models import AuditEntry
from service.organisations.models import Site


def site(session, slug):
    return session.scalar(select(Site).where(Site.slug == slug))


def test_a_site_manager_sets_their_kiosk_language(console, managers, session, client):
    manager = managers["site_manager"]
    console.sign_in(manager.email, manager.totp_secret)
    page = console.get("/console/kiosks").get_data(as_text=True)
    assert "Eastfield Depot" in page and "Riverside" not in page
    eastfield = site(session, "eastfield-depot")
    saved = console.post(
        f"/console/kiosks/{eastfield.id}",
        {"enabled": "on", "default_language": "pl"},
        token_from="/console/kiosks",
    )
    assert saved.status_code == 302
    assert (eastfield.kiosk_enabled, eastfield.default_language) == (True, "pl")
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "kiosk.settings")).one()
    assert entry.detail["site"] == "eastfield-depot"
    # The kiosk now starts in Polish.
    home = client.get("/kiosk/eastfield-depot/", follow_redirects=True)
    assert 'lang="pl"' in home.get_data(as_text=True)


def test_another_site_or_a_bad_language_changes_nothing(console, managers, session):
    manager = managers["site_manager"]
    console.sign_in(manager.email, manager.totp_secret)
    riverside = site(session, "riverside-depot")
    before = (riverside.kiosk_enabled, riverside.default_language)
    other = console.post(
        f"/console/kiosks/{riverside.id}", {"default_language": "pl"}, token_from="/console/kiosks"
    )
    assert other.status_code == 403
    eastfield = site(session, "eastfield-depot")
    bad = console.post(
        f"/console/kiosks/{eastfield.id}",
        {"enabled": "on", "default_language": "xx"},
        token_from="/console/kiosks",
    )
    assert bad.status_code == 302
    assert eastfield.default_language != "xx"
    assert (riverside.kiosk_enabled, riverside.default_language) == before


@pytest.mark.parametrize("role", ["network_lead", "guardian"])
def test_leads_and_guardians_have_no_kiosk_settings(console, managers, role):
    manager = managers[role]
    console.sign_in(manager.email, manager.totp_secret)
    assert console.get("/console/kiosks").status_code == 403
