"""SMS tests: a handset that has already said hello."""

from __future__ import annotations

import pytest

from tests.support.sms import Handset


@pytest.fixture
def phone(client, demo) -> Handset:
    """A worker's handset that has already texted once (so no welcome gets in the way)."""
    handset = Handset(client)
    handset.send("HELLO")
    return handset
