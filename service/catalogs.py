"""The translation catalogs shipped with the package, and how complete each language is."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from service import languages

log = logging.getLogger(__name__)


def directory() -> Path:
    """The folder holding <lang>/LC_MESSAGES/messages.mo: the installed `locales` package."""
    # Installed unzipped (pip always does), so the package is a real folder flask-babel can read.
    return Path(str(resources.files("locales")))


@dataclass(frozen=True)
class Coverage:
    """How many of the template's strings a language's compiled catalog translates."""

    code: str
    translated: int
    total: int
    compiled: bool

    @property
    def complete(self) -> bool:
        """True when the compiled catalog translates every string."""
        return self.compiled and self.translated >= self.total


@cache
def coverage(folder: Path | None = None) -> tuple[Coverage, ...]:
    """Each non-English language's coverage, read from messages.pot and the compiled .mo files."""
    folder = folder or directory()
    with (folder / "messages.pot").open("rb") as source:
        template = read_po(source)
    wanted = {_key(m.id) for m in template if m.id}
    found = []
    for code in languages.CODES:
        if code == languages.DEFAULT:
            continue
        mo = folder / code / "LC_MESSAGES" / "messages.mo"
        if not mo.exists():
            found.append(Coverage(code, 0, len(wanted), compiled=False))
            continue
        with mo.open("rb") as source:
            catalog = read_mo(source)
        done = sum(
            1 for m in catalog if _key(m.id) in wanted and m.string and any(_texts(m.string))
        )
        found.append(Coverage(code, done, len(wanted), compiled=True))
    return tuple(found)


def _key(msgid: str | tuple[str, ...] | list[str]) -> str | tuple[str, ...]:
    # A plural message's id is a tuple in a .po file and a list in a compiled .mo file.
    return tuple(msgid) if isinstance(msgid, (tuple, list)) else msgid


def _texts(string: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return tuple(string) if isinstance(string, (tuple, list)) else (string,)


def log_coverage(folder: Path | None = None) -> None:
    """Say at start-up which languages are complete: info when all are, a warning otherwise."""
    report = coverage(folder)
    line = ", ".join(
        f"{c.code} {c.translated}/{c.total}" + ("" if c.compiled else " (not compiled)")
        for c in report
    )
    if all(c.complete for c in report):
        log.info("translations complete: %s", line)
    else:
        missing = ", ".join(c.code for c in report if not c.complete)
        log.warning("translations incomplete (%s fall back to English): %s", missing, line)
