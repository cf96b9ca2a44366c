"""Hypothesis's two profiles, chosen by HYPOTHESIS_PROFILE, and the example counts tests ask for.

fast (the default, `make test`): ten examples, the same ones every run. check (`make check`):
fresh examples each run, printed on failure to replay, and each test's full count.
"""

from __future__ import annotations

import os

from hypothesis import settings

PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or "fast"
settings.register_profile("fast", max_examples=10, deadline=None, database=None, derandomize=True)
settings.register_profile("check", deadline=None, database=None, print_blob=True)


def examples(full: int) -> int:
    """`full` examples under the check profile; the fast profile's few otherwise."""
    return full if PROFILE == "check" else min(full, settings.get_profile("fast").max_examples)
