"""Print packs read back: each page's text, and pages as PNGs."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner
from flask.cli import ScriptInfo
from pypdf import PdfReader

from service.cli import cli


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
