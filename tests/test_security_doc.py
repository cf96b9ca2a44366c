"""docs/security.md names the tests that hold each promise: every one of them must exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A test reference as the page writes it: `tests/some/file.py::test_name`.
REFERENCE = re.compile(r"(tests/[\w/]+\.py)::(test_\w+)")


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    }


def test_every_test_the_security_page_names_exists() -> None:
    page = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    named = REFERENCE.findall(page)
    assert len(named) >= 30  # the page names its tests; an empty match would prove nothing
    missing = [
        f"{path}::{name}"
        for path, name in named
        if not (ROOT / path).is_file() or name not in _tests_in(ROOT / path)
    ]
    assert missing == []


def test_the_readme_points_to_the_security_page_and_its_limits() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/security.md" in readme
    assert "cannot promise" in readme
