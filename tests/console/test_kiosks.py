"""Kiosk settings: a site manager changes only their own site's kiosk, and it is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.audit.models import AuditEntry
from service.organisations.models import Site
from tests.support.settings import PUBLIC_URL


def site(session, slug):
    return session.scalar(select(Site).where(Site.slug == slug))


def save_settings(console, site_id: int, **form: str):
    """Post a site's kiosk settings form, as the Kiosks page does."""
    return console.post(f"/console/kiosks/{site_id}", form, token_from="/console/kiosks")


def test_a_site_manager_sets_their_kiosk_language(console, managers, session, client):
    manager = managers["site_manager"]
    console.sign_in(manager.email, manager.totp_secret)
    page = console.get("/console/kiosks").get_data(as_text=True)
    assert "Eastfield Depot" in page and "Riverside" not in page
    eastfield = site(session, "eastfield-depot")
    saved = save_settings(console, eastfield.id, enabled="on", default_language="pl")
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
    other = save_settings(console, riverside.id, default_language="pl")
    assert other.status_code == 403
    eastfield = site(session, "eastfield-depot")
    bad = save_settings(console, eastfield.id, enabled="on", default_language="xx")
    assert bad.status_code == 302
    assert eastfield.default_language != "xx"
    assert (riverside.kiosk_enabled, riverside.default_language) == before


@pytest.mark.parametrize("role", ["network_lead", "guardian"])
def test_leads_and_guardians_have_no_kiosk_settings(console, managers, role):
    manager = managers[role]
    console.sign_in(manager.email, manager.totp_secret)
    assert console.get("/console/kiosks").status_code == 403


def test_a_site_manager_pairs_a_kiosk_pc_and_can_unpair_it(console, managers, session, client):
    from cryptography.hazmat.primitives.asymmetric import ec

    from service.organisations.kiosk_keys import kiosk_public_key
    from service.verification.sealing import raw_public_key

    manager = managers["site_manager"]
    console.sign_in(manager.email, manager.totp_secret)
    eastfield, riverside = site(session, "eastfield-depot"), site(session, "riverside-depot")
    public = raw_public_key(ec.generate_private_key(ec.SECP256R1()))
    token = console.token("/console/kiosks")

    def pair(site_id: int, key: object):
        return console.client.post(
            f"/console/kiosks/{site_id}/pair",
            json={"public_key": key},
            headers={"X-CSRFToken": token, "Referer": PUBLIC_URL + "/console/kiosks"},
            base_url=PUBLIC_URL,
        )

    assert pair(riverside.id, public).status_code == 403  # not this manager's site
    assert pair(eastfield.id, "not a key").status_code == 400
    paired = pair(eastfield.id, public)
    assert paired.status_code == 200, paired.get_data(as_text=True)[:300]
    kiosk = paired.get_json()["kiosk"]
    assert kiosk_public_key(session, eastfield, kiosk) == public
    assert kiosk_public_key(session, riverside, kiosk) is None
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "kiosk.paired")).one()
    assert entry.detail == {"site": "eastfield-depot", "kiosk": kiosk}
    assert "1 PC(s) paired here" in console.get("/console/kiosks").get_data(as_text=True)
    unpaired = console.post(
        f"/console/kiosks/{eastfield.id}/unpair", {}, token_from="/console/kiosks"
    )
    assert unpaired.status_code == 302
    session.expire_all()
    assert kiosk_public_key(session, eastfield, kiosk) is None
