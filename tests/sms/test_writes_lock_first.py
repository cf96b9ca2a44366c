"""On PostgreSQL a text that writes as it reads locks its member before reading them.

A NO, STOP, LEAVE or survey answer is not answered from a read made before any lock: what it
says depends on the member's open question or list, and another text of theirs may change
that at the same moment. It used to read the member, then lock their row at its first write:
a YES that committed in between joined a sensitive group while the NO, acting on the question
it had read, answered "nothing has changed". Now the row is locked first (as on SQLite, where
such a text takes the write lock before it reads), so the other text waits and then finds the
question answered.
"""

from __future__ import annotations

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
from service.sms import lookup
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
    said_nothing_changed = "nothing has changed" in replies["no"].text
    # One of them answered the question, and what the member was told is what happened.
    assert said_nothing_changed != (joined is not None), (replies["no"].texts, replies["yes"].texts)
    assert said_nothing_changed, "the NO locked first, so it answered the question"
    assert "joined" not in replies["yes"].text, replies["yes"].texts


def test_a_survey_answer_and_a_text_that_leaves_the_survey_at_once(
    committed_app, monkeypatch
) -> None:
    """EVENTS leaves the survey after the number's first read: the number picks an event.

    A text while a survey is answered is not answered as read: it was answered from the
    survey it had read, recorded "Car" after the member had left, and put them back in it.
    """
    app = committed_app
    database = get_database(app)
    number = "+447400333803"
    with app.app_context(), database.session() as session:
        org = session.scalars(
            select(Organisation).where(Organisation.slug == ORGANISATION["slug"])
        ).one()
        survey_id = create_survey(session, org).id
        session.commit()
    phone = Handset(app.test_client(), number)
    phone.send("HELLO")
    assert "1 of 4: How do you get to work?" in phone.send("PULSE").text
    pick, events = _at_once(app, monkeypatch, number, "2", "EVENTS")
    assert "1 of 4" not in events.text and "2 of 4" not in events.text, events.texts
    # The 2 is read as the member now stands: out of the survey, with the events listed.
    assert "2 of 4" not in pick.text, pick.texts
    assert "Sorry" not in pick.text, pick.texts
    with app.app_context(), database.session() as session:
        answered = session.scalar(
            select(func.count())
            .select_from(SurveyResponse)
            .where(SurveyResponse.survey_id == survey_id)
        )
        state = session.scalars(select(ConversationState)).all()
    assert answered == 0
    assert all(s.list_kind != "survey" for s in state), [s.list_kind for s in state]
