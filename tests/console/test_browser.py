"""The console in real Chromium: sign in with an authenticator code and download a pack."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.support.browser import downloaded
from tests.support.console import PASSWORD
from tests.support.console_browser import manager_secret

pytestmark = pytest.mark.browser
ADMIN = ("admin", None, None)


def test_sign_in_with_a_code_and_download_a_pack(page, live, tmp_path):
    secret = manager_secret(live.database, live.org_id, "ada@northgate.example", ADMIN)
    page.goto("/console/")
    assert page.url.endswith("/console/sign-in")
    page.get_by_label("Email").fill("ada@northgate.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    # First time: the QR code to enrol an authenticator app.
    expect(page.get_by_role("img", name="QR code")).to_be_visible()
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm and sign in").click()
    page.get_by_role("link", name="Print a noticeboard pack").click()
    page.get_by_label("Site", exact=True).select_option(label="Eastfield Depot")
    page.get_by_label("Polski").check()
    path = downloaded(page, page.get_by_role("button", name="Download the pack (PDF)"), tmp_path)
    assert path.name.startswith("pack-eastfield-depot-")
    texts = [p.extract_text() for p in PdfReader(path).pages]
    assert "JOIN CAREERS" in texts[0] and any("Grupa Kariery" in t for t in texts)
    # Signing out ends the session: the console asks for a sign-in again.
    page.goto("/console/")
    page.get_by_role("button", name="Sign out").click()
    page.goto("/console/print")
    assert page.url.endswith("/console/sign-in")
