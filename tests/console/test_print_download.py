"""A downloaded pack is named for the day its footer says it was printed."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from sqlalchemy import select

from service.organisations.models import Site


def test_a_pack_printed_on_a_summer_evening_is_named_for_the_london_day(
    console, managers, session
) -> None:
    eastfield = session.scalar(select(Site.id).where(Site.slug == "eastfield-depot"))
    # 23:30 UTC on 14 July is 00:30 on 15 July in London (BST): the noticeboard's day.
    with time_machine.travel(dt.datetime(2027, 7, 14, 23, 30, tzinfo=dt.UTC), tick=True):
        console.sign_in(managers["admin"].email, managers["admin"].totp_secret)
        done = console.post("/console/print", {"site": eastfield, "langs": "en", "size": "A4"})
    assert done.mimetype == "application/pdf"
    name = re.search(r'filename="([^"]+)"', done.headers["Content-Disposition"]).group(1)
    assert "-2027-07-15-" in name, name
