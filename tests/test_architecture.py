"""The architecture holds: every package has a layer in the import contracts.

`make lint` runs the contracts themselves (`lint-imports`, config in pyproject.toml); these tests
keep them complete, on the graph import-linter itself builds (grimp).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def _contract(contract_id: str) -> dict:
    return next(c for c in CONFIG["contracts"] if c["id"] == contract_id)


def test_every_package_of_the_service_has_a_layer() -> None:
    graph = grimp.build_graph(*CONFIG["root_packages"], cache_dir=None)
    named = {
        name for layer in _contract("layers")["layers"] for name in re.split(r"[|:\s]+", layer)
    }
    # service/__init__.py (create_app) mounts every channel: it is the root, above all layers.
    expected = graph.find_children("service") | (set(CONFIG["root_packages"]) - {"service"})
    assert sorted(expected - named) == []
    assert sorted(named - expected - {""}) == []
