"""SQL statements per hot-path request: a test fails when a path's count rises above its budget.

Counted with SQLAlchemy's before_cursor_execute on the test's connection, so what is counted is
exactly what reaches the database. Savepoint bookkeeping (the test harness turns each commit
into RELEASE SAVEPOINT) is counted apart, as "commits", from the statements that do the work.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from tests.support.sms import Handset, returning_member
from tests.support.statements import watching
from tests.support.voice import Caller

# Statements (not counting savepoints) and commits (savepoints released: the request's own
# commit and any nested one) each request may take, measured with a fresh session per request.
# Lower them when a change makes a path cheaper; never raise them without saying why.
# Before issue 20: events 15, networks 12, talk 13, join 12, yes 25, first text 12, voice 4.
# A reading command's inbound row is written once, answered (was: claimed, then finished).
# One fewer for every returning member's text since the rate-limit count and the first-text
# checks come with the contact (was: events 7, networks 6, talk 6, join 7, yes 13); and for
# YES one more since a join reads membership and sensitive memberships in one query.
# One fewer for every text since the organisation behind the number is remembered per process
# and confirmed by the sender's lookup (was a statement of its own: events 5, networks 5, talk
# 5, join 5, yes 8, first text 5; on PostgreSQL events 3, networks 3, talk 4, join 3, yes 6,
# first text 3).
BUDGET = {
    # 5 since the member's networks come with their contact (was 6: a read of the memberships).
    "events": (4, 1),
    "networks": (4, 1),
    "talk": (4, 1),
    # The write path's inbound row is written once too, answered, last (was claimed, then
    # finished: join 6, yes 9, first text 6).
    "join": (4, 1),
    # 9 and one commit since a join is one INSERT … ON CONFLICT DO NOTHING (no savepoint), the
    # network is not loaded again, and the first sensitive group's discretion is one
    # compare-and-set instead of a read of the memberships (was 11 and 2).
    "yes": (7, 1),
    # A new number is a person reached this month, counted by one upsert of its month's tally
    # (issue 19 item 20). 7 and one commit since its lookup also says whether the MessageSid
    # was seen and the contact is one INSERT … ON CONFLICT DO NOTHING (was 8 and 2: a second
    # lookup under the write lock, the MessageSid's own query, a savepoint around the insert).
    # 6 since a new conversation state with nothing in it (no list, no question) is no row.
    "first_text": (4, 1),
    # On PostgreSQL a first text that only reads writes its contact, its person counted and its
    # inbound row in one statement, after the answer (was 5, as on SQLite).
    "first_text_postgresql": (2, 1),
    # On PostgreSQL a returning member's text marks them seen, writes its state and its inbound
    # row in one statement at the end (was 3): EVENTS, GROUPS and JOIN 3, TALK 4 (its tally),
    # YES 6 (were 5, 5, 5, 5 and 8).
    "events_postgresql": (2, 1),
    "networks_postgresql": (2, 1),
    "talk_postgresql": (3, 1),
    "join_postgresql": (2, 1),
    # A text that writes as it reads (JOIN of a group open to all, NO, STOP, LEAVE): the
    # member, marked seen, the membership, its tally, the inbound row. On PostgreSQL its
    # sender's row is locked before the member is read (6 where it was 5: two texts of theirs
    # at once must not both act on one open question).
    "join_open": (5, 1),
    "join_open_postgresql": (6, 1),
    # 2 since a YES's membership, its tally of joins and the member's discretion are written in
    # that statement too, while the contact is as read (service.sms.finish; was 5 and 1 more).
    "yes_postgresql": (2, 1),
    # 3 since the menu offers "have your say" while a survey is open (one indexed read of the
    # organisation's open surveys a step; issue 21). 2 and no commit since the open surveys and
    # the codes proved on the call are one statement, and a step the memo answers (the same
    # menu, key and content as one before it: service.voice.memo) writes nothing to commit.
    # 1 since the organisation (by the number called) comes in that same statement, read on
    # the driver (service.voice.facts.read_step_facts).
    "voice_step": (1, 0),
    # The console's manager and roles (2), the organisation, the filters' networks and sites,
    # the table by network (tallies, members, names) and the people per site (sites with
    # headcounts, members, person tallies): 11, whatever the months or the figures.
    "reach": (11, 0),
}


@dataclass
class Count:
    """Statements and commits seen while a block ran."""

    statements: list[str] = field(default_factory=list)
    commits: int = 0


@contextmanager
def counting(connection) -> Iterator[Count]:
    """Count what reaches the database through connection while the block runs."""
    count = Count()

    def tally(statement: str, parameters: object, executemany: bool) -> None:
        words = statement.lstrip().split(None, 2)[:2]
        head = " ".join(words).upper()
        if head.startswith("RELEASE SAVEPOINT"):
            count.commits += 1
        elif not head.startswith(("SAVEPOINT", "ROLLBACK TO")):
            count.statements.append(statement)

    with watching(connection, tally):
        yield count


def within_budget(path: str, count: Count) -> None:
    statements, commits = BUDGET[path]
    listing = "\n".join(s.split("\n")[0][:120] for s in count.statements)
    assert len(count.statements) <= statements, (
        f"{path}: {len(count.statements)} statements, budget {statements}:\n{listing}"
    )
    assert count.commits <= commits, f"{path}: {count.commits} commits, budget {commits}"


def _waits_for_disk(count: Count) -> bool:
    """Whether the request's commit waits for the WAL's flush (PostgreSQL's default)."""
    return not any("synchronous_commit" in statement for statement in count.statements)


@pytest.fixture
def member(client, demo) -> Handset:
    """A returning member: has texted before and belongs to an open group."""
    return returning_member(client, "+447400555001")


@pytest.mark.parametrize(
    "path,body", [("events", "EVENTS"), ("networks", "GROUPS"), ("talk", "TALK")]
)
def test_a_returning_members_reading_keyword(member, connection, path, body) -> None:
    member.send(body)  # warm: the first of a kind may load what every later one reuses
    with counting(connection) as count:
        reply = member.send(body)
    assert reply.status == 200 and reply.texts
    within_budget(path, count)
    if connection.dialect.name == "postgresql":
        within_budget(f"{path}_postgresql", count)
        # Its commit does not wait for the disk (service.sms.finish): a JOIN's and YES's do.
        assert _waits_for_disk(count) is False


def test_a_good_time_to_call_is_never_among_what_a_crash_could_lose(member, connection) -> None:
    member.send("CALL ME CARERS")
    with counting(connection) as count:
        reply = member.send("2")
    assert "afternoon" in reply.text
    if connection.dialect.name == "postgresql":
        # A callback staff will act on, changed by a pick: its commit waits for the disk.
        assert _waits_for_disk(count)


def test_join_and_yes(client, demo, connection) -> None:
    handset = Handset(client, "+447400555002")
    handset.send("HELLO")
    with counting(connection) as join:
        asked = handset.send("JOIN MINDS")
    assert "YES" in asked.text
    with counting(connection) as yes:
        done = handset.send("YES")
    assert done.status == 200 and done.texts
    within_budget("join", join)
    within_budget("yes", yes)
    if connection.dialect.name == "postgresql":
        within_budget("join_postgresql", join)
        within_budget("yes_postgresql", yes)
        # A membership and its consent are never among what a database crash could lose.
        assert _waits_for_disk(join) and _waits_for_disk(yes)


def test_a_join_of_a_group_open_to_all(member, connection) -> None:
    with counting(connection) as count:
        reply = member.send("JOIN CAREERS")
    assert reply.text.startswith("You have joined"), reply.texts
    postgresql = connection.dialect.name == "postgresql"
    within_budget("join_open_postgresql" if postgresql else "join_open", count)


def test_a_first_text_from_a_new_number(client, demo, connection) -> None:
    Handset(client, "+447400555003").send("HELLO")  # warm the process, as a live one is
    with counting(connection) as count:
        reply = Handset(client, "+447400555004").send("HELP")
    assert reply.status == 200 and reply.texts
    within_budget("first_text", count)
    if connection.dialect.name == "postgresql":
        within_budget("first_text_postgresql", count)


def test_a_voice_menu_step(client, demo, connection) -> None:
    caller = Caller(client, "+447400555005")
    caller.dial_in()
    caller.press("1")
    warm = Caller(client, "+447400555006")
    warm.dial_in()
    warm.press("1")
    warm.press("1")
    with counting(connection) as count:
        caller.press("1")
    assert caller.spoken()
    within_budget("voice_step", count)
    # A call that proved nothing is not looked up by its number on each step (blind indexes
    # under every key, the contact): its SID finds no verified code first, which is enough.
    assert not any("FROM contact" in s for s in count.statements), count.statements


def test_the_reach_dashboard(console, managers, connection) -> None:
    # Sign-in and session checks are the console's for every page; what is budgeted here is
    # the whole page: filters, the table by network, and the people reached per site.
    console.sign_in(managers["admin"].email, managers["admin"].totp_secret)
    assert console.get("/console/reach").status_code == 200  # warm
    with counting(connection) as count:
        page = console.get("/console/reach")
    assert page.status_code == 200 and "Are we reaching staff" in page.get_data(as_text=True)
    within_budget("reach", count)
