"""One demo database and one seven-language pack per module, built through the real CLI."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from alembic import command as alembic_command
from click.testing import CliRunner
from flask.cli import ScriptInfo
from pypdf import PdfReader

from service import create_app
from service.cli import cli
from service.config import Config
from service.db import get_database
from service.migrations import alembic_config
from tests.browser_fixtures import ARTIFACTS
from tests.conftest import PUBLIC_URL, TEST_DATA_KEY


@dataclass
class Built:
    """A pack on disk, its text per page and the app that built it."""

    path: Path
    pages: list[str]
    output: str
    app: object

    def run(self, *args: str):
        """Run a `frontline` command against the same database."""
        return CliRunner().invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: self.app))


def page_texts(path: Path) -> list[str]:
    """Each page's text as pypdf reads it, with runs of white space (line breaks) as one space.

    Shaped text maps a number's no-break space to a private-use code; read it as a space.
    """
    texts = []
    for page in PdfReader(path).pages:
        text = re.sub(r"(?<=\d)[\u00a0\ue000-\uf8ff](?=\d)", " ", page.extract_text() or "")
        texts.append(" ".join(text.split()))
    return texts


def render_pngs(path: Path, folder: Path, dpi: int = 40) -> list[Path]:
    """Every page as a PNG (pdftoppm), into the test artifacts folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", str(path), str(folder / "page")], check=True
    )
    return sorted(folder.glob("page-*.png"))


@pytest.fixture(scope="module")
def app_with_demo(tmp_path_factory):
    """An app on its own SQLite database with the demo council loaded."""
    from service.demo import load_demo

    folder = tmp_path_factory.mktemp("print")
    url = f"sqlite:///{folder / 'print.db'}"
    app = create_app(
        Config(
            ENV="development",
            INSTANCE_DIR=str(folder),
            DATABASE_URL=url,
            SECRET_KEY="print-secret",
            DATA_KEY=TEST_DATA_KEY,
            PUBLIC_URL=PUBLIC_URL,
            LOG_LEVEL="WARNING",
        )
    )
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
