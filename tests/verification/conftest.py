"""Verification tests: the demo council as `org`."""

from __future__ import annotations

import pytest


@pytest.fixture
def org(demo):
    """The demo council."""
    return demo
