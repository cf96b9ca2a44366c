"""Build step: compile the gettext catalogs, so an installed service speaks every language.

The compiled catalogs (.mo) are never committed: each build makes them from the .po files.
Everything else about the package is in pyproject.toml.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

LOCALES = Path(__file__).resolve().parent / "locales"


def compile_catalogs(target: Path) -> list[str]:
    """Compile locales/<lang>/LC_MESSAGES/messages.po into target; the files written."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(LOCALES.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        problems = [(m.id, errors) for m, errors in catalog.check()]
        if problems:
            # A broken placeholder would crash a page in that language: stop the build instead.
            raise SystemExit(f"{po}: {problems[:3]}")
        mo = target / po.relative_to(LOCALES).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with mo.open("wb") as out:
            write_mo(out, catalog, use_fuzzy=False)
        written.append(str(mo))
    return written


class BuildWithCatalogs(build_py):
    """build_py that also compiles the catalogs into the build (or in place, when editable)."""

    def run(self) -> None:
        """Copy the packages, then compile the catalogs beside the copied .po files."""
        super().run()
        # An editable install reads the source folder, so its catalogs are compiled there.
        if self.editable_mode:
            compile_catalogs(LOCALES)
        else:
            self._catalogs = compile_catalogs(Path(self.build_lib) / "locales")

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        """The files built, the compiled catalogs included."""
        return [*super().get_outputs(include_bytecode), *getattr(self, "_catalogs", [])]


setup(cmdclass={"build_py": BuildWithCatalogs})
