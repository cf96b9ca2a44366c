"""EVENTS lists are fitted into their two segments once per process, and never go stale."""

from __future__ import annotations

from sqlalchemy import select

from service.content.models import Event
from service.content.operations import update_event
from service.sms import event_commands
from service.sms.event_commands import EventCommands
from tests.support.sms import Handset


def _counting_fits(monkeypatch) -> list[int]:
    fitted: list[int] = []
    fit = EventCommands._fit_events

    def counted(self, occurrences, offset, where):
        fitted.append(offset)
        return fit(self, occurrences, offset, where)

    monkeypatch.setattr(EventCommands, "_fit_events", counted)
    return fitted


def test_members_with_the_same_list_share_one_fitting(client, demo, monkeypatch) -> None:
    event_commands._LISTED.clear()
    first, second = Handset(client, "+447400555101"), Handset(client, "+447400555102")
    first.send("HELLO")
    second.send("HELLO")
    fitted = _counting_fits(monkeypatch)
    listing = first.send("EVENTS").text
    assert fitted, "the first EVENTS fits its list"
    done = len(fitted)
    # Another member in the same groups (none) and language: the same text, not fitted again.
    assert second.send("EVENTS").text == listing
    assert first.send("EVENTS").text == listing
    assert len(fitted) == done


def test_a_changed_title_is_shown_at_once(client, demo, session) -> None:
    event_commands._LISTED.clear()
    handset = Handset(client, "+447400555103")
    handset.send("HELLO")
    listing = handset.send("EVENTS").text
    event = next(
        e
        for e in session.scalars(select(Event).where(Event.organisation_id == demo.id))
        if e.title in listing
    )
    update_event(session, event, title="Tea and talk, moved")
    session.flush()
    changed = handset.send("EVENTS").text
    assert "Tea and talk, moved" in changed and changed != listing
