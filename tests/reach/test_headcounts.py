"""Headcounts in the console: an admin enters a number per site; nobody else can change it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.audit.models import AuditEntry
from service.organisations.models import Site
from tests.support import factories
from tests.support.console import new_manager, page_text

PAGE = "/console/reach/headcounts"


def _site(session, slug: str) -> Site:
    site = session.scalar(select(Site).where(Site.slug == slug))
    session.refresh(site)
    return site


def _form(session, **by_slug: str) -> dict[str, str]:
    sites = session.scalars(select(Site).where(Site.slug.in_(by_slug))).all()
    return {f"headcount-{site.id}": by_slug[site.slug] for site in sites}


@pytest.fixture
def admin(console, managers):
    console.sign_in(managers["admin"].email, managers["admin"].totp_secret)
    return managers["admin"]


def test_an_admin_enters_each_sites_headcount(console, admin, session) -> None:
    page = page_text(console.get(PAGE))
    assert "Eastfield Depot" in page and "never names" in page
    done = console.post(
        PAGE, _form(session, **{"eastfield-depot": "1,250", "riverside-depot": " 310 "})
    )
    assert done.status_code == 302
    assert _site(session, "eastfield-depot").headcount == 1250
    assert _site(session, "riverside-depot").headcount == 310
    assert _site(session, "civic-hall").headcount is None
    # The page shows what was saved, and the change is in the audit log.
    assert 'value="1250"' in console.get(PAGE).get_data(as_text=True)
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "reach.headcount")).one()
    assert entry.detail == {"eastfield-depot": 1250, "riverside-depot": 310}
    # Blank clears a headcount back to "not known".
    console.post(PAGE, _form(session, **{"eastfield-depot": ""}))
    assert _site(session, "eastfield-depot").headcount is None


@pytest.mark.parametrize("typed", ["-5", "0", "twelve", "3.5", "100001", "١٢"])
def test_anything_but_a_whole_number_saves_nothing(console, admin, session, typed) -> None:
    refused = console.post(
        PAGE, _form(session, **{"eastfield-depot": typed, "riverside-depot": "300"})
    )
    assert refused.status_code == 400
    assert "Nothing was saved" in page_text(refused)
    assert "Eastfield Depot: the headcount" in page_text(refused)
    assert _site(session, "eastfield-depot").headcount is None
    assert _site(session, "riverside-depot").headcount is None


@pytest.mark.parametrize("role", ["network_lead", "site_manager", "guardian"])
def test_only_admins_may_change_a_headcount(console, managers, session, role) -> None:
    # A site manager may run Eastfield's kiosk, but not set the number its reach is judged by.
    admin_console_form = _form(session, **{"eastfield-depot": "40"})
    manager = managers[role]
    console.sign_in(manager.email, manager.totp_secret)
    assert console.get(PAGE).status_code == 403
    refused = console.post(PAGE, admin_console_form, token_from="/console/")
    assert refused.status_code == 403
    assert _site(session, "eastfield-depot").headcount is None


def test_another_organisations_admin_cannot_change_ours(console, demo, session) -> None:
    other = factories.create_organisation(session, name="Southgate Council")
    theirs = factories.create_site(session, org=other)
    outsider = new_manager(session, other, "admin@southgate.example", ("admin", None, None))
    session.flush()
    console.sign_in(outsider.email, outsider.totp_secret)
    # Their page lists only their own site; our ids posted to it are ignored.
    page = page_text(console.get(PAGE))
    assert theirs.name in page and "Eastfield Depot" not in page
    ours = _form(session, **{"eastfield-depot": "9999"})
    done = console.post(PAGE, {**ours, f"headcount-{theirs.id}": "12"})
    assert done.status_code == 302
    assert _site(session, "eastfield-depot").headcount is None
    session.refresh(theirs)
    assert theirs.headcount == 12
