"""Speak-up helpers: the held clock, a concern, and the code a speaker is given."""

from __future__ import annotations

import datetime as dt
import re

# Counters run in fixed windows (a minute, an hour): the clock is held still so a test never
# straddles the turn of one, whatever time CI runs at.
NOW = dt.datetime(2026, 12, 7, 10, 15, 30, tzinfo=dt.UTC)


KIOSK = "/kiosk/eastfield-depot"

CONCERN = "The night shift at Eastfield is short of gloves and the manager says to reuse them."


CODE = re.compile(r"\b([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})\b")


def code_in(texts: list[str]) -> str:
    """The speak-up code in a reply's texts."""
    found = CODE.search(" ".join(texts))
    assert found, texts
    return found.group(1)


def raise_at_kiosk(client, text="The forklift brakes are failing and nobody fixes them."):
    """Raise a concern at the Eastfield kiosk; the API's answer."""
    return client.post(f"{KIOSK}/api/speak-up", json={"text": text, "lang": "en"})
