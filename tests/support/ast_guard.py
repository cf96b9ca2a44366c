"""CPython before 3.11.8 counts the depth of every ast.parse in one place for all threads.

So two threads parsing at once can corrupt each other's count, and the parse that finishes
second raises "SystemError: AST constructor recursion depth mismatch" (CPython gh-106905,
fixed in 3.11.8 by per-parse state). A thread can only cut into another's parse where Python
code runs inside it, and the one place it does is a garbage collection there calling __del__
methods. In the suite, werkzeug parses while create_app compiles the URL rules (each test's
app fixture) and traceback formatting parses (Python 3.11's error carets) in the fake Twilio's
and the live servers' threads: a test's setup failed so under `make clock-matrix`.

install() makes ast.parse run with the collector paused, so no other thread's code can run
inside a parse; on a fixed CPython it does nothing.
"""

from __future__ import annotations

import ast
import functools
import gc
import sys
import threading

FIXED_IN = (3, 11, 8)

_lock = threading.Lock()  # held only around the counter: never across a parse
_parsing = 0  # threads inside ast.parse now
_collector_was_on = False


def affected(version: tuple[int, ...] = tuple(sys.version_info[:3])) -> bool:
    """Whether this CPython shares one AST depth count across threads (3.11 before 3.11.8)."""
    return version[:2] == (3, 11) and version < FIXED_IN


def _pause_collector() -> None:
    global _parsing, _collector_was_on
    with _lock:
        if _parsing == 0:
            _collector_was_on = gc.isenabled()
            gc.disable()
        _parsing += 1


def _resume_collector() -> None:
    global _parsing
    with _lock:
        _parsing -= 1
        if _parsing == 0 and _collector_was_on:
            gc.enable()


def guarded(parse):
    """ast.parse with the garbage collector paused while it runs."""

    @functools.wraps(parse)
    def parse_whole(*args, **kwargs):
        _pause_collector()
        try:
            return parse(*args, **kwargs)
        finally:
            _resume_collector()

    parse_whole.__wrapped_for_gh_106905__ = True
    return parse_whole


def install() -> None:
    """Guard ast.parse for the whole process, once, where the CPython needs it."""
    if affected() and not getattr(ast.parse, "__wrapped_for_gh_106905__", False):
        ast.parse = guarded(ast.parse)
