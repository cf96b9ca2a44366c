"""Text laid out for people: left-to-right runs isolated inside right-to-left lines."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from service.formatting import isolate_ltr_runs, when


def test_numbers_and_keywords_in_urdu_are_isolated_and_the_rest_is_escaped():
    shown = isolate_ltr_runs("صرف JOIN MINDS لکھیں یا 07400 123456 پر کال کریں۔ <b>")
    assert '<bdi dir="ltr" lang="en">JOIN MINDS</bdi>' in shown
    # Digits are not English: isolated, with no language of their own.
    assert '<bdi dir="ltr">07400 123456</bdi>' in shown
    assert "&lt;" in shown and "<b>" not in shown
    # Urdu's own digits keep their groups together too.
    assert '<bdi dir="ltr">۰۷۴۰۰ ۱۲۳۴۵۶</bdi>' in isolate_ltr_runs("کال ۰۷۴۰۰ ۱۲۳۴۵۶ پر")
    # A sentence's full stop stays with the sentence, outside the run.
    assert str(isolate_ltr_runs("لکھیں JOIN.")).endswith("</bdi>.")


def test_the_same_instant_reads_as_each_zones_own_time():
    # Formatted moments are kept per process: equal instants in other zones are not one key.
    noon = dt.datetime(2026, 7, 3, 12, 0, tzinfo=dt.UTC)
    assert when(noon, "en") == "Friday 3 July, 12:00"
    assert when(noon.astimezone(ZoneInfo("Europe/London")), "en") == "Friday 3 July, 13:00"
    assert when(noon, "pl", style="EEE d MMM HH:mm") == "pt. 3 lip 12:00"
    assert when(noon, "en") == "Friday 3 July, 12:00"
