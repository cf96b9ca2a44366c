"""`make bench` runs only benchmarks: every script it starts stands alone and reports something."""

from __future__ import annotations

import ast
from pathlib import Path

from bench import run_all

BENCH = Path(run_all.__file__).resolve().parent


def _run_by_make_bench() -> list[Path]:
    return [p for p in sorted(BENCH.glob("*.py")) if p.name not in run_all.NOT_BENCHMARKS]


def _required_arguments(tree: ast.Module) -> list[int]:
    """Lines of click arguments a bare `python bench/x.py` would not give."""
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "argument"
            and not any(k.arg in ("default", "required") for k in node.keywords)
        ):
            found.append(node.lineno)
    return found


def _runs_as_a_script(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.If) and "__name__" in ast.unparse(node.test) for node in tree.body
    )


def test_every_script_make_bench_runs_is_a_benchmark_it_can_run_bare() -> None:
    # Library parts, tools that need arguments or a bench-scale database: `make bench` ran them
    # bare and failed on four (bulk_p99, during_bulk, fan_out_explain, floor_app), and ran
    # cpu.py, a part, to no effect.
    wrong = {}
    for script in _run_by_make_bench():
        tree = ast.parse(script.read_text())
        text = script.read_text()
        problems = []
        if not _runs_as_a_script(tree):
            problems.append("no __main__ block")
        if lines := _required_arguments(tree):
            problems.append(f"needs arguments (line {lines[0]})")
        reports = "record(" in text or "bracketed(" in text or script.stem.startswith("profile_")
        if not reports:
            problems.append("records no figure and prints no profile")
        if problems:
            wrong[script.name] = problems
    assert wrong == {}
    assert len(_run_by_make_bench()) >= 8  # the benchmarks themselves are still run
