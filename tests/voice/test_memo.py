"""Menu steps answered from the per-process memo say exactly what the engine would say now.

Each test takes the same step twice (two callers at the same point of the flow sign the same
state), something changing in between that the answer turns on: the second answer must be
the engine's answer to the new situation, not the kept one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import event, select

from service import languages
from service.config import get_config
from service.contacts import operations as contacts
from service.content.models import Network
from service.db import utcnow
from service.outbox.models import OutboundMessage
from service.voice import memo as memo_module
from service.voice import views
from service.voice.engine import DISCREET as DISCREET_CHOICE
from service.voice.engine import MEMO_ACTIONS, READS_ONLY_ACTIONS, CallState
from service.voice.facts import read_step_facts
from service.voice.line import known_from_facts
from service.voice.memo import StepMemo, memo_of
from service.voice.twiml import render
from tests.support import factories
from tests.support.sms import DEMO_NUMBER
from tests.support.surveys import create_survey
from tests.support.voice import Caller

MEMBER = "+447400222334"  # a member of LGBT+ who chose discretion
DISCREET = "Thursday social group"  # the LGBT+ network's discreet name in the demo
SURVEY_OFFER = "A short survey is open."


@pytest.fixture(autouse=True)
def monday_morning() -> Iterator[None]:
    """One still instant (10:00 next Monday), so two calls hear the same news."""
    zone = ZoneInfo("Europe/London")
    today = dt.datetime.now(zone).replace(hour=10, minute=0, second=0, microsecond=0)
    at = (today + dt.timedelta(days=7 - today.weekday())).astimezone(dt.UTC)
    with time_machine.travel(at, tick=False):
        yield


def _at_main_menu(client, number: str) -> Caller:
    call = Caller(client, number)
    call.dial_in()
    call.press("1")  # English: the news, then the main menu
    return call


def _kept(app) -> int:
    memo = memo_of(app)
    return sum(len(v) for _version, steps in memo._orgs.values() for v in steps.values())


def test_the_same_step_is_answered_alike_and_kept_once(app, client, demo) -> None:
    first = _at_main_menu(client, "+447400300001")
    kept = _kept(app)  # the call's start
    first.press("1")
    assert _kept(app) == kept + 1
    second = _at_main_menu(client, "+447400300002")
    second.press("1")
    assert second.xml == first.xml and "Minds Matter" in second.spoken()
    assert _kept(app) == kept + 1  # answered from the memo, not kept again
    second.silence()
    assert second.spoken().startswith("Sorry, we did not hear anything.")


def test_every_call_starts_alike_and_a_renamed_organisation_is_welcomed_by_its_new_name(
    app, client, session, demo
) -> None:
    first = Caller(client, "+447400300010")
    first.dial_in()
    second = Caller(client, "+447400300011")
    second.dial_in()
    assert second.xml == first.xml and "For English, press 1." in second.spoken()
    demo.name = "Riverside Council"
    session.flush()
    third = Caller(client, "+447400300012")
    third.dial_in()
    assert third.spoken().startswith("Welcome to Riverside Council.")


def test_a_published_change_is_heard_on_the_next_step(app, client, session, demo) -> None:
    first = _at_main_menu(client, "+447400300003")
    first.press("1")
    network = session.scalar(
        select(Network).where(Network.organisation_id == demo.id, Network.slug == "minds")
    )
    network.name = "Minds Matter Together"
    session.flush()  # a content change: the organisation's content version moves on
    second = _at_main_menu(client, "+447400300004")
    second.press("1")
    assert "Minds Matter Together" in second.spoken()


def test_a_survey_opening_is_offered_on_a_kept_menu(app, client, session, demo) -> None:
    first = _at_main_menu(client, "+447400300005")
    first.press("1")
    first.press("0")  # back to the main menu: a step the memo keeps
    assert SURVEY_OFFER not in first.spoken()
    create_survey(session, demo)
    second = _at_main_menu(client, "+447400300006")
    second.press("1")
    second.press("0")
    assert second.spoken().startswith(SURVEY_OFFER)


def test_a_proved_discreet_member_hears_their_names_where_a_stranger_did_not(
    app, client, session, vault, demo
) -> None:
    lgbt = session.scalar(
        select(Network).where(Network.organisation_id == demo.id, Network.slug == "lgbt")
    )
    contact = factories.create_contact(session, org=demo, phone=MEMBER)
    contacts.join_network(
        session, contact, lgbt, channel="sms", consent_version=contacts.CONSENT_VERSION
    )
    contacts.set_discreet(session, contact, True)
    session.flush()
    stranger = _at_main_menu(client, "+447400300007")
    stranger.press("1")
    assert DISCREET not in stranger.spoken() and "LGBT+" in stranger.spoken()
    call = _at_main_menu(client, MEMBER)
    call.press("8")
    call.press("7")  # my groups: a code is offered
    call.press("1")
    sent = session.scalars(select(OutboundMessage).where(OutboundMessage.kind == "code")).one()
    call.press(re.search(r"\b(\d{6})\b", vault.decrypt(sent.body_encrypted)).group(1))
    assert DISCREET in call.spoken()
    spoofed = _at_main_menu(client, MEMBER)  # the same number on another call proved nothing
    spoofed.press("1")
    assert spoofed.xml == stranger.xml
    call.press("0")  # from their groups, back
    while "For groups, press 1" not in call.spoken():
        call.press("0")
    call.press("1")  # every group, as the stranger heard them, but for their discreet name
    assert DISCREET in call.spoken()
    assert call.xml != stranger.xml


def test_crisis_words_at_a_kept_menu_are_heard(client, demo) -> None:
    first = _at_main_menu(client, "+447400300008")
    first.press("1")
    first.press("0")
    second = _at_main_menu(client, "+447400300009")
    second.press("1")
    second.say_words("honestly I just want to end my life")
    assert second.spoken().startswith("If you are in danger now, hang up and call 999.")


def test_a_kept_step_only_reads() -> None:
    # A step answered from the memo writes and commits nothing: every action it may have run
    # must be one that only reads.
    assert MEMO_ACTIONS <= READS_ONLY_ACTIONS


def test_an_organisations_kept_answers_are_bounded(monkeypatch) -> None:
    monkeypatch.setattr(memo_module, "MAX_KEYS", 3)
    memo = StepMemo()
    for n in range(10):
        memo.keep(1, 7, ("", f"token {n}", "1", False), {}, b"<Response/>")
    assert sum(len(v) for v in memo._orgs[1][1].values()) <= 3
    assert memo.lookup(1, 7, ("", "token 9", "1", False), lambda name: None) == b"<Response/>"


def _memoable_entries(app, session, connection, demo, number: str) -> dict[tuple, tuple]:
    """Each memoable answer (the call's start, every node entered in every language) of one caller.

    Keyed by what the memo keys it by; valued by the answer and whatever it wrote, statements
    sent or changes left in the session (a kept answer is never worked out again, so a write
    would happen for the first caller only).
    """
    flow = views.main_flow()
    entries: list[tuple[tuple, Callable]] = [(("start",), lambda line: line.start_call())]
    for node in flow.nodes.values():
        for lang in languages.CODES:
            entries.append(
                (
                    (node.name, lang),
                    lambda line, n=node.name, lang=lang: line.enter(CallState(n, lang)),
                )
            )
    form = {"CallSid": f"CA{number[1:]:0>32}", "From": number, "To": DEMO_NUMBER}
    found = {}
    for key, run in entries:
        writes: list[str] = []

        def seen(conn, cursor, statement, *_args) -> None:
            if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
                writes.append(statement)  # noqa: B023 (each entry's own list, while it runs)

        with app.test_request_context("/twilio/voice/step", method="POST", data=form):
            line = views._line(get_config(), session, demo, number)
            event.listen(connection, "before_cursor_execute", seen)
            try:
                body = render(run(line))
            finally:
                event.remove(connection, "before_cursor_execute", seen)
            if session.new or session.dirty or session.deleted:
                writes.append("changes left in the session")
            session.rollback()  # undo whatever a branch that may not be kept did
        if line.memoable:
            found[key] = (body, dict(line.depends), writes)
    return found


def test_an_answer_the_memo_keeps_writes_nothing_and_is_every_strangers(
    app, client, session, connection, demo
) -> None:
    # The memo answers a step as it answered the first caller there, whoever calls: a kept
    # answer (MEMO_ACTIONS, or no action) must write nothing, and must say the same to every
    # caller who proved nothing, a member's number too, whatever it knows of them.
    member = factories.create_contact(session, org=demo, phone=MEMBER, language="pl")
    lgbt = session.scalar(
        select(Network).where(Network.organisation_id == demo.id, Network.slug == "lgbt")
    )
    contacts.join_network(
        session, member, lgbt, channel="sms", consent_version=contacts.CONSENT_VERSION
    )
    contacts.set_discreet(session, member, True)
    create_survey(session, demo)
    session.flush()
    stranger = _memoable_entries(app, session, connection, demo, "+447400300020")
    known = _memoable_entries(app, session, connection, demo, MEMBER)
    assert stranger.keys() == known.keys()
    kept_actions = {views.main_flow().node(key[0]).action for key in stranger if len(key) == 2}
    assert kept_actions >= MEMO_ACTIONS  # every memoised action was tried
    for key, (body, depends, writes) in stranger.items():
        assert writes == [], key
        assert known[key] == (body, depends, []), key


@pytest.mark.parametrize("survey", [None, "open", "opted_in", "networks", "closed by its date"])
@pytest.mark.parametrize("number", ["+447400300021", MEMBER])
def test_what_the_memo_asks_of_a_calls_facts_is_what_the_line_would_say(
    app, session, demo, survey, number
) -> None:
    # A kept step is answered on the call's facts alone where they decide (known_from_facts):
    # for a caller who proved nothing, the same values the Line itself would turn on.
    factories.create_contact(session, org=demo, phone=MEMBER, language="pl")
    if survey == "closed by its date":
        create_survey(session, demo).closes_at = utcnow() - dt.timedelta(minutes=1)
    elif survey == "networks":
        network = session.scalar(select(Network.id).where(Network.organisation_id == demo.id))
        create_survey(session, demo, audience=survey, network_ids=[network])
    elif survey is not None:
        create_survey(session, demo, audience=survey)
    session.flush()
    form = {"CallSid": "CA" + "7" * 32, "From": number, "To": DEMO_NUMBER}
    with app.test_request_context("/twilio/voice/step", method="POST", data=form):
        found = read_step_facts(DEMO_NUMBER, form["CallSid"])
        assert found is not None
        assert (found.organisation_id, found.content_version) == (demo.id, demo.content_version)
        now = utcnow()
        line = views._line(get_config(), session, demo, number, now=now, facts=found.facts)
        for name in (DISCREET_CHOICE, ("holds", "survey_open")):
            assert known_from_facts(name, found.facts, now) == line.dependency(name), name
    offered = survey not in (None, "closed by its date")
    assert known_from_facts(("holds", "survey_open"), found.facts, now) is offered
