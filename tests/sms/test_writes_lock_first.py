"""On PostgreSQL a text that writes as it reads locks its member before reading them.

A NO, JOIN, STOP or survey answer is not answered from a read made before any lock: what it
says depends on the member's open question or list, and another text of theirs may change
that at the same moment. It used to read the member, then lock their row at its first write:
a YES that committed in between joined a sensitive group while the NO, acting on the question
it had read, answered "nothing has changed". Now the row is locked first (as on SQLite, where
such a text takes the write lock before it reads), so the other text waits and then finds the
question answered. So too when the row was made by the number's first text only after this
text looked for it, and a TALK answered as read counts its support request (a row every TALK
shares) only once it holds its member's row, as every other write about a member does.
"""

from __future__ import annotations

import logging
import threading
import time

import pytest
from sqlalchemy import func, select, text

from service.contacts import operations as contacts
from service.contacts.models import Membership
from service.content.models import Network
from service.db import get_database
from service.demo.content import ORGANISATION
from service.organisations.models import Organisation
from service.sms import lookup, newcomer
from service.sms.models import ConversationState
from service.surveys.models import SurveyResponse
from tests.support.sms import Handset, Reply
from tests.support.surveys import create_survey

pytestmark = pytest.mark.postgres  # two transactions at once need PostgreSQL

NUMBER = "+447400333802"


def _waits_or_ends(database, thread: threading.Thread) -> None:
    """Return once the other text has finished, or waits on a row lock."""
    deadline = time.monotonic() + 20
    with database.engine.connect() as watcher:
        while thread.is_alive() and time.monotonic() < deadline:
            waiting = watcher.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
            watcher.rollback()
            if waiting:
                return
            time.sleep(0.02)
    assert not thread.is_alive(), "the other text neither finished nor waited"


def _at_once(app, monkeypatch, number: str, first: str, then: str) -> tuple[Reply, Reply]:
    """Text `first`; once its first read is made, `then` from the same number, in a thread."""
    database = get_database(app)
    replies: dict[str, Reply] = {}
    failures: list[BaseException] = []

    def other() -> None:
        try:
            replies["then"] = Handset(app.test_client(), number).send(then)
        except BaseException as error:  # reported below, in the test's own thread
            failures.append(error)

    real = lookup.contact_and_state
    answering = threading.Thread(target=other)
    main = threading.current_thread()

    def other_lands_after_the_read(session, *args, **kwargs):
        found = real(session, *args, **kwargs)
        if threading.current_thread() is main and answering.ident is None:
            answering.start()
            _waits_or_ends(database, answering)
        return found

    monkeypatch.setattr(lookup, "contact_and_state", other_lands_after_the_read)
    try:
        replies["first"] = Handset(app.test_client(), number).send(first)
        answering.join(timeout=30)
    finally:
        monkeypatch.setattr(lookup, "contact_and_state", real)
    assert answering.ident is not None, "the race did not happen"
    assert failures == []
    assert replies["first"].status == 200, replies["first"].xml
    assert replies["then"].status == 200, replies["then"].xml
    return replies["first"], replies["then"]


def test_a_no_and_a_yes_to_one_consent_question_at_once(committed_app, monkeypatch) -> None:
    """The YES lands after the NO has read the question: they must not both act on it."""
    app = committed_app
    database = get_database(app)
    phone = Handset(app.test_client(), NUMBER)
    phone.send("HELLO")
    assert "Reply YES" in phone.last("JOIN MINDS")
    no, yes = _at_once(app, monkeypatch, NUMBER, "NO", "YES")
    replies = {"no": no, "yes": yes}
    with app.app_context(), database.session() as session:
        minds = session.scalar(select(Network.id).where(Network.slug == "minds"))
        member = contacts.find_contact(
            session, session.get_one(Network, minds).organisation_id, NUMBER
        )
        joined = session.scalar(
            select(Membership.id).where(
                Membership.contact_id == member.id, Membership.network_id == minds
            )
        )
    # The NO held the member first: it answered the question, so the YES found none open.
    assert "nothing has changed" in replies["no"].text, replies["no"].texts
    assert joined is None, (replies["no"].texts, replies["yes"].texts)
    assert "joined" not in replies["yes"].text, replies["yes"].texts


def test_a_survey_answer_and_a_text_that_leaves_the_survey_at_once(
    committed_app, monkeypatch
) -> None:
    """EVENTS leaves the survey after the number's first read: the number picks an event.

    A text while a survey is answered is not answered as read: it was answered from the
    survey it had read, recorded "Car" after the member had left, and put them back in it.
    """
    app = committed_app
    number = "+447400333803"
    survey_id = _survey(app)
    phone = Handset(app.test_client(), number)
    phone.send("HELLO")
    assert "1 of 4: How do you get to work?" in phone.send("PULSE").text
    pick, events = _at_once(app, monkeypatch, number, "2", "EVENTS")
    assert "1 of 4" not in events.text and "2 of 4" not in events.text, events.texts
    # The 2 is read as the member now stands: out of the survey, with the events listed.
    assert "2 of 4" not in pick.text, pick.texts
    assert "Sorry" not in pick.text, pick.texts
    _left_the_survey_unanswered(app, survey_id)


def _survey(app) -> int:
    """The demo organisation's PULSE survey, open, committed."""
    database = get_database(app)
    with app.app_context(), database.session() as session:
        org = session.scalars(
            select(Organisation).where(Organisation.slug == ORGANISATION["slug"])
        ).one()
        survey_id = create_survey(session, org).id
        session.commit()
    return survey_id


def _left_the_survey_unanswered(app, survey_id: int) -> None:
    with app.app_context(), get_database(app).session() as session:
        answered = session.scalar(
            select(func.count())
            .select_from(SurveyResponse)
            .where(SurveyResponse.survey_id == survey_id)
        )
        state = session.scalars(select(ConversationState)).all()
    assert answered == 0
    assert all(s.list_kind != "survey" for s in state), [s.list_kind for s in state]


def _made_first_then_left(app, monkeypatch, number: str, at, name: str, body: str) -> Reply:
    """`body` from a new number. At `at.name` PULSE from that number makes its contact (and
    starts the survey); once `body` has read the contact, EVENTS from it leaves the survey."""
    database = get_database(app)
    main = threading.current_thread()
    replies: dict[str, Reply] = {}
    failures: list[BaseException] = []

    def send(key: str, text: str) -> None:
        try:
            replies[key] = Handset(app.test_client(), number).send(text)
        except BaseException as error:  # reported below, in the test's own thread
            failures.append(error)

    real_step, real_read = getattr(at, name), lookup.contact_and_state
    leaving = threading.Thread(target=send, args=("events", "EVENTS"))
    made: list[int] = []

    def pulse_made_it(session, *args, **kwargs):
        if threading.current_thread() is not main or made:
            return real_step(session, *args, **kwargs)
        # lock_sender: its lock found no row, and then the contact was made; newcomer.write:
        # the contact was made just before its own insert.
        done = real_step(session, *args, **kwargs) if name == "lock_sender" else None
        pulse = threading.Thread(target=send, args=("pulse", "PULSE"))
        pulse.start()
        pulse.join(30)
        made.append(1)
        return done if name == "lock_sender" else real_step(session, *args, **kwargs)

    def events_after_the_read(session, *args, **kwargs):
        found = real_read(session, *args, **kwargs)
        if threading.current_thread() is main and made and leaving.ident is None:
            leaving.start()
            _waits_or_ends(database, leaving)
        return found

    monkeypatch.setattr(at, name, pulse_made_it)
    monkeypatch.setattr(lookup, "contact_and_state", events_after_the_read)
    try:
        replies["main"] = Handset(app.test_client(), number).send(body)
        leaving.join(30)
    finally:
        monkeypatch.setattr(at, name, real_step)
        monkeypatch.setattr(lookup, "contact_and_state", real_read)
    assert failures == [] and leaving.ident is not None, "the race did not happen"
    assert "1 of 4" in replies["pulse"].text, replies["pulse"].texts
    assert replies["main"].status == 200, replies["main"].xml
    return replies["main"]


@pytest.mark.parametrize(
    "at,name,body",
    [
        # A pick answered first as a new number's: the contact was made before its insert.
        (newcomer, "write", "2"),
        # A word that writes as it reads: its lock found no row, then the contact was made.
        (lookup, "lock_sender", "CAR"),
    ],
    ids=["pick", "word"],
)
def test_a_new_numbers_text_whose_contact_another_text_made_locks_it_too(
    committed_app, monkeypatch, at, name, body
) -> None:
    """PULSE makes the contact this text looked for, EVENTS then leaves the survey.

    The text read the contact made by PULSE without holding its row, and was answered from
    the survey that EVENTS left: it counted as an answer and put the member back in it.
    """
    survey_id = _survey(committed_app)
    number = "+447400333881" if body == "2" else "+447400333882"
    reply = _made_first_then_left(committed_app, monkeypatch, number, at, name, body)
    assert "2 of 4" not in reply.text, reply.texts
    _left_the_survey_unanswered(committed_app, survey_id)


def test_a_talk_and_a_yes_that_confirms_talk_at_once(committed_app, monkeypatch, caplog) -> None:
    """TALKK, then YES (did you mean TALK?) and TALK at once: neither waits on the other.

    A TALK answered as read counted its support request (the month's tally, a row every TALK
    shares) before it locked its member's row; the YES, which reads under that lock, counted
    it after. Each waited on the other's row and PostgreSQL ended one as a deadlock.
    """
    app = committed_app
    number = "+447400333878"
    phone = Handset(app.test_client(), number)
    phone.send("HELLO")
    assert "Did you mean" in phone.send("TALKK").text
    main = threading.current_thread()
    replies: dict[str, Reply] = {}
    failures: list[BaseException] = []

    def talk() -> None:
        try:
            replies["talk"] = Handset(app.test_client(), number).send("TALK")
        except BaseException as error:  # reported below, in the test's own thread
            failures.append(error)

    talking = threading.Thread(target=talk)
    reads: list[int] = []
    real = lookup.contact_and_state

    def talk_under_the_yes_lock(session, *args, **kwargs):
        found = real(session, *args, **kwargs)
        if threading.current_thread() is main:
            reads.append(1)
            if len(reads) == 2 and talking.ident is None:  # read again, the row held
                talking.start()
                _waits_or_ends(get_database(app), talking)
        return found

    monkeypatch.setattr(lookup, "contact_and_state", talk_under_the_yes_lock)
    try:
        with caplog.at_level(logging.WARNING):
            replies["yes"] = phone.send("YES")
            talking.join(30)
    finally:
        monkeypatch.setattr(lookup, "contact_and_state", real)
    assert talking.ident is not None, "the race did not happen"
    assert failures == []
    assert replies["yes"].status == 200 and replies["talk"].status == 200
    assert "conflict" not in caplog.text, caplog.text
