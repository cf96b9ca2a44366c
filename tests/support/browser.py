"""Browser test fixtures: a live server on its own SQLite database, and Debian's Chromium.

Defined once here and imported by tests/conftest.py: a session-scoped Playwright defined in
two modules would start a second event loop inside the first.
"""

from __future__ import annotations

import atexit
import functools
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from alembic import command as alembic_command
from werkzeug.serving import make_server

from service import create_app
from service.db import Database, get_database
from service.migrations import alembic_config
from tests.support.settings import app_config

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("FRONTLINE_TEST_ARTIFACTS", PROJECT_ROOT / "test-artifacts"))


@dataclass
class Live:
    """The running service: its address and its database."""

    url: str
    database: Database
    org_id: int

    def texts_to(self, phone: str) -> list[str]:
        """Every text written for a number, oldest first, as the phone would show them."""
        from tests.support.texts import texts_to

        with self.database.session() as session:
            return texts_to(session, self.database.vault, phone)


@functools.cache
def _demo_template() -> Path:
    """A SQLite file migrated to head with the demo council loaded, made once per process.

    Migrating and loading the demo's some 970 statements took seconds for each live server
    (one per browser test module); each now starts from a copy of this file instead.
    """
    from service.demo import load_demo

    folder = Path(tempfile.mkdtemp(prefix="frontline-demo-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    url = f"sqlite:///{folder / 'demo.db'}"
    app = create_app(app_config(folder, url, ARGON2_PROFILE="cheapest"))
    database = get_database(app)
    with app.app_context():
        alembic_command.upgrade(alembic_config(url), "head")
        with database.session() as session:
            load_demo(session)
    database.dispose()  # closing the last connection folds the WAL into the file
    return folder / "demo.db"


def demo_database(path: Path) -> str:
    """The URL of a new SQLite database at path, migrated, holding the demo council."""
    shutil.copyfile(_demo_template(), path)
    return f"sqlite:///{path}"


@contextmanager
def serve_demo(folder: Path, **settings: object) -> Iterator[Live]:
    """The app served over HTTP on 127.0.0.1 with the demo council loaded; settings add to
    (or replace) the live server's configuration."""
    from service.organisations.operations import organisation_by_slug

    url = demo_database(folder / "live.db")
    live = {"PUBLIC_URL": "http://127.0.0.1", "QUEUE_IMMEDIATE": True, "ARGON2_PROFILE": "cheapest"}
    config = app_config(folder, url, **{**live, **settings})
    app = create_app(config)
    database = get_database(app)
    # The outbox keeps what the service wrote; the tests read codes there, as a phone would.
    database.queue = lambda ids: None
    with app.app_context(), database.session() as session:
        org_id = organisation_by_slug(session, "northgate").id
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request is noise
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Live(f"http://127.0.0.1:{server.port}", database, org_id)
    server.shutdown()
    thread.join()
    server.server_close()
    database.dispose()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The app served over HTTP on 127.0.0.1 with the demo council loaded."""
    with serve_demo(tmp_path_factory.mktemp("live")) as served:
        yield served


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium; the Makefile installs it (no `playwright install` here)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test-tools` (the Makefile installs it)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@contextmanager
def watched_tab(
    browser, base_url: str, *, height: int = 1024, width: int = 1280, **options
) -> Iterator:
    """A tab in a fresh browser profile; an error thrown by the page fails the test."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, base_url=base_url, **options
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    # A style or script the Content-Security-Policy blocked is a page that does not work.
    tab.on(
        "console",
        lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    yield tab
    context.close()
    assert not errors, errors


@pytest.fixture
def page(browser, live):
    """A fresh browser profile at the size of a depot touchscreen; page errors fail the test."""
    with watched_tab(browser, live.url) as tab:
        yield tab


def inject_axe(tab) -> None:
    """Load axe-core into the page through the DevTools protocol, which its CSP does not bar."""
    tab.evaluate(AXE.read_text() + "\n;void 0")


def screenshot(tab, name: str, *, area: str = "kiosk", full_page: bool = True) -> Path:
    """Save a screenshot (the whole page, or what is on screen) into the artifacts folder."""
    path = ARTIFACTS / area / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(path), full_page=full_page)
    return path


def downloaded(tab, control, folder: Path) -> Path:
    """Click control and save the file the browser downloads, under its own name, in folder."""
    with tab.expect_download() as download:
        control.click()
    path = folder / download.value.suggested_filename
    download.value.save_as(path)
    return path
