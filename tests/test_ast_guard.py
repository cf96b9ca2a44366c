"""ast.parse in two threads at once, as werkzeug's URL rules and a thread's traceback do."""

from __future__ import annotations

import ast
import threading

from tests.support import ast_guard

# Enough nesting that each parse builds a few thousand nodes, so collections happen inside it.
SOURCE = "\n".join(
    f"def f{i}(a, b):\n    return [x + (y * {i}) for x in a for y in b if x]" for i in range(20)
)
PARSES = 120


class _Finalised:
    """Garbage in a cycle, so that only a collection frees it, with Python code in __del__."""

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        total = 0
        for n in range(2000):  # bytecode, where the interpreter may hand over to another thread
            total += n


def test_the_affected_versions_are_3_11_before_3_11_8() -> None:
    assert ast_guard.affected((3, 11, 7)) and ast_guard.affected((3, 11, 2))
    assert not ast_guard.affected((3, 11, 8))
    assert not ast_guard.affected((3, 12, 1))


def test_parsing_in_two_threads_at_once_never_raises_a_system_error() -> None:
    # CPython gh-106905: on 3.11.7 without tests/support/ast_guard.py about a third of these
    # parses raised "AST constructor recursion depth mismatch" (the conftest installs it).
    assert getattr(ast.parse, "__wrapped_for_gh_106905__", False) == ast_guard.affected()
    errors: list[str] = []
    done = threading.Event()

    def parse_beside() -> None:
        while not done.is_set():
            try:
                ast.parse(SOURCE)
            except SystemError as error:
                errors.append(str(error))

    beside = threading.Thread(target=parse_beside, daemon=True)
    beside.start()
    try:
        for _ in range(PARSES):
            for _ in range(50):
                _Finalised()
            try:
                ast.parse(SOURCE)
            except SystemError as error:
                errors.append(str(error))
    finally:
        done.set()
        beside.join()
    assert errors == []
