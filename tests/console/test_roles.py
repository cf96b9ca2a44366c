"""The role matrix: every console page and action, checked on the server for every role."""

from __future__ import annotations

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from service.audit.models import AuditEntry
from service.organisations.models import Site

# (method, path) -> the roles that get in; everyone else gets 403.
MATRIX = {
    ("GET", "/console/"): {"admin", "network_lead", "site_manager", "guardian", "support_team"},
    ("GET", "/console/print"): {"admin", "site_manager"},
    ("GET", "/console/audit"): {"admin"},
    ("GET", "/console/content"): {"admin", "network_lead"},
    ("GET", "/console/translations"): {"admin", "network_lead"},
    ("GET", "/console/translations/so"): {"admin", "network_lead"},
    ("GET", "/console/content/events/new"): {"admin", "network_lead"},
    ("GET", "/console/content/networks/new"): {"admin"},
    ("GET", "/console/content/support/new"): {"admin"},
    ("GET", "/console/broadcasts"): {"admin", "network_lead"},
    ("GET", "/console/broadcasts/new"): {"admin", "network_lead"},
    ("GET", "/console/callbacks"): {"admin", "network_lead", "site_manager", "support_team"},
    ("GET", "/console/kiosks"): {"admin", "site_manager"},
    ("GET", "/console/reach"): {"admin"},
    ("GET", "/console/privacy"): {"admin"},
}
ROLES = ("admin", "network_lead", "site_manager", "guardian", "support_team")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(MATRIX))
def test_role_matrix(console, managers, role, page):
    manager = managers[role]
    console.sign_in(manager.email, manager.totp_secret)
    _method, path = page
    response = console.get(path)
    assert response.status_code == (200 if role in MATRIX[page] else 403), (role, path)


def test_signed_out_is_sent_to_sign_in(console, demo):
    for _method, path in MATRIX:
        response = console.get(path)
        assert response.status_code == 302 and "/console/sign-in" in response.headers["Location"]


def site_id(session, slug):
    return session.scalar(select(Site.id).where(Site.slug == slug))


def test_a_site_manager_prints_their_own_site_and_no_other(console, managers, session):
    manager = managers["site_manager"]
    console.sign_in(manager.email, manager.totp_secret)
    page = console.get("/console/print").get_data(as_text=True)
    assert "Eastfield Depot" in page and "Riverside Depot" not in page
    refused = console.post(
        "/console/print", {"site": site_id(session, "riverside-depot"), "langs": "en", "size": "A4"}
    )
    assert refused.mimetype != "application/pdf"
    done = console.post(
        "/console/print",
        {"site": site_id(session, "eastfield-depot"), "langs": ["en", "pl"], "size": "A4"},
    )
    assert done.mimetype == "application/pdf"
    assert "attachment" in done.headers["Content-Disposition"]
    import io

    text = PdfReader(io.BytesIO(done.get_data())).pages[0].extract_text()
    assert "JOIN CAREERS" in text
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "print.download"))
    assert entry.manager_id == manager.id and entry.detail["site"] == "eastfield-depot"
    assert entry.detail["languages"] == ["en", "pl"]


def test_only_admins_choose_discreet_names_on_posters(console, managers, session, demo):
    site_manager = managers["site_manager"]
    console.sign_in(site_manager.email, site_manager.totp_secret)
    assert "discreet names" not in console.get("/console/print").get_data(as_text=True)
    refused = console.post(
        "/console/print/settings", {"discreet": "on"}, token_from="/console/print"
    )
    assert refused.status_code == 403 and demo.print_discreet_names is False


def test_an_admin_chooses_discreet_names_on_posters(console, managers, session, demo):
    admin = managers["admin"]
    console.sign_in(admin.email, admin.totp_secret)
    saved = console.post("/console/print/settings", {"discreet": "on"}, token_from="/console/print")
    assert saved.status_code == 302 and demo.print_discreet_names is True
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "print.settings")).one()
    assert entry.detail == {"discreet_names": True}
