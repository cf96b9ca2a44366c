"""The role matrix: every console page and action, checked on the server for every role."""

from __future__ import annotations

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from service.audit.models import AuditEntry
from service.organisations.models import Site

# (method, path) -> the roles that get in; everyone else gets 403.
MATRIX = {
    ("GET", "/console/"): {"admin", "network_lead", "site_manager", "guardian"},
    ("GET", "/console/print"): {"admin", "site_manager"},
    ("GET", "/console/audit"): {"admin"},
}
ROLES = ("admin", "network_lead", "site_manager", "guardian")


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
