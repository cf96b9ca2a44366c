"""Text laid out for people: left-to-right runs isolated inside right-to-left lines."""

from __future__ import annotations

from service.formatting import isolate_ltr_runs


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
