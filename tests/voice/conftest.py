"""A caller on the phone line: answers the first call's language menu."""

from __future__ import annotations

import pytest

from tests.support.voice import Caller


@pytest.fixture
def caller(client, demo) -> Caller:
    """A new caller, already past the language menu (English)."""
    call = Caller(client)
    call.dial_in()
    call.press("1")
    return call
