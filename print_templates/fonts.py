"""Noto fonts from Debian's fonts-noto-core, registered once, embedded as subsets."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

NOTO = Path("/usr/share/fonts/truetype/noto")
# Per language: (regular, bold) files. Latin-script languages share Noto Sans.
FILES = {
    "latin": ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    "ur": ("NotoNastaliqUrdu-Regular.ttf", "NotoNastaliqUrdu-Bold.ttf"),
    "pa": ("NotoSansGurmukhi-Regular.ttf", "NotoSansGurmukhi-Bold.ttf"),
    "gu": ("NotoSansGujarati-Regular.ttf", "NotoSansGujarati-Bold.ttf"),
}


class FontsMissing(RuntimeError):
    """The Noto fonts are not installed (`make test-tools` installs fonts-noto-core)."""


def _script(language: str) -> str:
    return language if language in FILES else "latin"


@cache
def register() -> None:
    """Register every font with ReportLab (once per process)."""
    for script, (regular, bold) in FILES.items():
        for name, file in ((f"{script}", regular), (f"{script}-bold", bold)):
            path = NOTO / file
            if not path.exists():
                raise FontsMissing(f"{path} is missing: install Debian's fonts-noto-core")
            pdfmetrics.registerFont(TTFont(f"Frontline-{name}", str(path)))


def font_for(language: str, *, bold: bool = False) -> str:
    """The registered font name for text in a language."""
    register()
    return f"Frontline-{_script(language)}{'-bold' if bold else ''}"


def covers(font_name: str, text: str) -> bool:
    """True when the font has a glyph for every character of the text."""
    glyphs = pdfmetrics.getFont(font_name).face.charToGlyph
    return all(ord(c) in glyphs for c in text)
