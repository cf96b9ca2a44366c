"""The architecture holds: every package has a layer, and no module is on an import cycle.

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


def test_no_module_is_part_of_an_import_cycle() -> None:
    # grimp records every import statement, those inside functions and under TYPE_CHECKING too.
    graph = grimp.build_graph(*CONFIG["root_packages"], cache_dir=None)
    cycles = {
        frozenset(tangled | {module})
        for module in graph.modules
        # A module is on a cycle when something it imports, directly or not, imports it back.
        if (tangled := graph.find_upstream_modules(module) & graph.find_downstream_modules(module))
    }
    shown = []
    for cycle in sorted(cycles, key=sorted):
        first = min(cycle)
        # The shortest way round: from the first module to one that imports it back.
        back = min(m for m in cycle if graph.direct_import_exists(importer=m, imported=first))
        shown.append(" -> ".join((*graph.find_shortest_chain(first, back), first)))
    assert not shown, "import cycles:\n" + "\n".join(shown)
