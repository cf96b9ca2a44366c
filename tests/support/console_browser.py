"""The console in real Chromium: a manager to sign in as, and signing in as a person does."""

from __future__ import annotations

import pyotp

from service.db import Database, utcnow
from service.organisations.models import Organisation
from tests.support.console import PASSWORD, new_manager

# The console pages' accessibility bar: WCAG 2.2 AA (the kiosk's adds axe's best practice).
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]


def manager_secret(
    database: Database, org_id: int, email: str, role: tuple, *, enrolled: bool = False
) -> str:
    """A manager with one role (role, network id, site id) and the tests' password; their
    TOTP secret. Enrolled: their authenticator app is already confirmed."""
    with database.session() as session:
        manager = new_manager(session, session.get_one(Organisation, org_id), email, role)
        if enrolled:
            manager.totp_confirmed_at = utcnow()
        return manager.totp_secret


def sign_in(tab, email: str, secret: str, *, enrolled: bool = False) -> None:
    """Password, then a current code; a first sign-in confirms the authenticator app."""
    tab.goto("/console/")
    tab.get_by_label("Email").fill(email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Continue").click()
    tab.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    tab.get_by_role("button", name="Sign in" if enrolled else "Confirm and sign in").click()
    tab.get_by_role("heading", name="Hello").wait_for()
