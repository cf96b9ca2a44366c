"""One demo database and one seven-language pack per module, built through the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command as alembic_command
from click.testing import CliRunner
from flask.cli import ScriptInfo

from service import create_app
from service.cli import cli
from service.db import get_database
from service.migrations import alembic_config
from tests.support.browser import ARTIFACTS
from tests.support.printing import Built, page_texts, render_pngs
from tests.support.settings import app_config


@pytest.fixture(scope="module")
def app_with_demo(tmp_path_factory):
    """An app on its own SQLite database with the demo council loaded."""
    from service.demo import load_demo

    folder = tmp_path_factory.mktemp("print")
    url = f"sqlite:///{folder / 'print.db'}"
    app = create_app(app_config(folder, url))
    with app.app_context():
        alembic_command.upgrade(alembic_config(url), "head")
        with get_database(app).session() as session:
            load_demo(session)
    yield app, folder
    get_database(app).dispose()


@pytest.fixture(scope="module")
def built(app_with_demo) -> Built:
    """The Eastfield Depot pack in all seven languages."""
    app, folder = app_with_demo
    path = folder / "eastfield.pdf"
    result = CliRunner().invoke(
        cli,
        ["pack", "--site", "eastfield-depot", "--lang", "en,pl,ro,ur,pa,gu,so", "-o", str(path)],
        obj=ScriptInfo(create_app=lambda: app),
    )
    assert result.exit_code == 0, result.output
    return Built(path, page_texts(path), result.output, app)


@pytest.fixture(scope="module")
def pngs(built) -> list[Path]:
    """The pack's pages as PNGs in test-artifacts/print/, to be looked at."""
    return render_pngs(built.path, ARTIFACTS / "print")
