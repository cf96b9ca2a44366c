"""Every query on the hot and privacy paths uses an index (issue 20): a test per path.

Each path runs through its real entry point while every statement reaching the database is
recorded; each is then EXPLAINed on PostgreSQL with sequential scans priced out
(`enable_seqscan = off`). The planner still chooses a Seq Scan where no index can serve the
query, so one on a table that grows with contacts or messages means the path slows as the
organisation grows: the test fails and names the statement. Small demo tables are enough to
find that, so this runs in the ordinary PostgreSQL pass rather than `make bench-scale`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from service.contacts.operations import find_contact
from service.db import get_database, utcnow
from service.privacy import operations as privacy
from service.privacy import retention
from tests.support.sms import Handset, returning_member
from tests.support.statements import watching
from tests.support.voice import Caller

pytestmark = pytest.mark.postgres

# Tables whose rows grow with the number of staff or with traffic. Content tables (networks,
# events, sites, support lines, keywords, translations) stay at an organisation's size.
GROWING = {
    "contact",
    "membership",
    "conversation_state",
    "pending_action",
    "inbound_message",
    "outbound_message",
    "broadcast_tally",
    "send_request",
    "rsvp",
    "voice_call",
    "voice_news_heard",
    "caller_check",
    "callback_request",
    "speakup_case",
    "speakup_message",
    "audit_entry",
    "twilio_deletion",
    "survey_token",
    "survey_response",
    "survey_answer",
}


@contextmanager
def recording(connection) -> Iterator[list[tuple[str, object]]]:
    """Record the statements (with their parameters) that reach the database in the block."""
    seen: list[tuple[str, object]] = []

    def keep(statement: str, parameters: object, executemany: bool) -> None:
        head = statement.lstrip()[:10].upper()
        if not executemany and head.startswith(("SELECT", "UPDATE", "DELETE", "WITH", "INSERT")):
            seen.append((statement, parameters))

    with watching(connection, keep):
        yield seen


def _seq_scans(node: dict) -> Iterator[str]:
    if node.get("Node Type") == "Seq Scan":
        yield node.get("Relation Name", "?")
    for child in node.get("Plans", ()):
        yield from _seq_scans(child)


def scans_without_an_index(connection, seen: list[tuple[str, object]]) -> list[str]:
    """Each recorded statement that reads a growing table with no index to serve it."""
    found = []
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    try:
        # Once per statement: the plan's shape depends on the text, not on which member it is.
        for statement, params in dict(reversed(seen)).items():
            plan = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, params).scalar()
            plan = plan if isinstance(plan, list) else json.loads(plan)
            tables = set(_seq_scans(plan[0]["Plan"])) & GROWING
            if tables:
                found.append(f"{sorted(tables)}: {' '.join(statement.split())[:300]}")
    finally:
        connection.exec_driver_sql("SET LOCAL enable_seqscan = on")
    return found


def assert_indexed(connection, seen: list[tuple[str, object]]) -> None:
    """Fail, naming each statement, where a growing table is read without an index."""
    found = scans_without_an_index(connection, seen)
    assert not found, "sequential scans of growing tables:\n" + "\n".join(found)


@pytest.fixture(autouse=True)
def _postgres_only(connection) -> None:
    if connection.dialect.name != "postgresql":
        pytest.skip("EXPLAIN plans are PostgreSQL's (FRONTLINE_TEST_DATABASE_URL)")


def test_the_planner_catches_a_missing_index(connection) -> None:
    # The check itself: a query on a column with no index is reported, one on the key is not.
    seen = [
        ("SELECT id FROM inbound_message WHERE segments = %(n)s", {"n": 3}),
        ("SELECT id FROM inbound_message WHERE id = %(n)s", {"n": 3}),
    ]
    found = scans_without_an_index(connection, seen)
    assert len(found) == 1 and "segments" in found[0]


@pytest.fixture
def member(client, demo) -> Handset:
    """A returning member: has texted before and belongs to an open group."""
    return returning_member(client, "+447400555101")


@pytest.mark.parametrize("body", ["EVENTS", "GROUPS", "TALK", "HELP"])
def test_a_returning_members_keywords_use_indexes(member, connection, body) -> None:
    with recording(connection) as seen:
        assert member.send(body).status == 200
    assert_indexed(connection, seen)


def test_join_yes_and_a_first_text_use_indexes(client, demo, connection) -> None:
    handset = Handset(client, "+447400555102")
    with recording(connection) as seen:
        handset.send("HELLO")
        handset.send("JOIN MINDS")
        handset.send("YES")
        handset.send("GOING 1")
        handset.send("LEAVE MINDS")
    assert_indexed(connection, seen)


def test_a_callers_menu_steps_use_indexes(client, demo, connection) -> None:
    caller = Caller(client, "+447400555103")
    with recording(connection) as seen:
        caller.dial_in()
        caller.press("1")
        caller.press("1")
    assert caller.spoken()
    assert_indexed(connection, seen)


def test_forget_me_and_subject_access_use_indexes(client, demo, connection, session) -> None:
    handset = Handset(client, "+447400555104")
    handset.send("JOIN CARERS")
    handset.send("YES")
    with recording(connection) as seen:
        contact = find_contact(session, demo.id, "+447400555104")
        privacy.subject_access(session, contact, utcnow())
    assert_indexed(connection, seen)
    with recording(connection) as seen:
        asked = handset.send("FORGET ME")
        handset.send("YES " + re.search(r"YES (\d{4})", asked.text).group(1))
    assert_indexed(connection, seen)


def test_the_retention_purge_uses_indexes(client, demo, connection, session, config) -> None:
    Handset(client, "+447400555105").send("HELLO")
    with recording(connection) as seen:
        for rule in retention.rules():
            # The count in a savepoint of its own, as it has a transaction of its own in a run:
            # its one-core setting (on_one_core) ends with it.
            counting = session.begin_nested()
            retention.expired_count(session, rule, config, utcnow())
            counting.rollback()
            assert (
                connection.exec_driver_sql("SHOW max_parallel_workers_per_gather").scalar() != "0"
            )
            retention.purge_batch(session, rule, config, utcnow(), 500)
    assert_indexed(connection, seen)


def _count_purge_due(session, config, demo) -> None:
    [rule] = [rule for rule in retention.rules() if rule.name == "inbound_message"]
    retention.expired_count(session, rule, config, utcnow())


def _count_audience(session, config, demo) -> None:
    from service.broadcasts.operations import audience_size, create_broadcast

    broadcast = create_broadcast(session, demo, body="Depot open.", audience="organisation")
    audience_size(session, broadcast)


@pytest.mark.parametrize("counting", [_count_purge_due, _count_audience])
def test_bulk_work_counts_on_one_core(demo, connection, session, config, counting) -> None:
    # Counting 5,000,000 expired texts (or a million people for a fan-out), the planner sent
    # two workers beside the backend and took both cores: EVENTS p99 rose 7-15 times for the
    # purge's count. Priced here so that the demo's tables too would be counted in parallel
    # (scanned whole: at the demo's size an index finds the few rows with no help).
    for setting in ("parallel_setup_cost", "parallel_tuple_cost", "min_parallel_table_scan_size"):
        connection.exec_driver_sql(f"SET LOCAL {setting} = 0")
    connection.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 2")  # the default
    for scan in ("indexscan", "indexonlyscan", "bitmapscan"):
        connection.exec_driver_sql(f"SET LOCAL enable_{scan} = off")
    with recording(connection) as seen:
        counting(session, config, demo)
    [(count, params)] = [(s, p) for s, p in seen if s.lstrip().startswith("SELECT count")]
    plan = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + count, params).scalar()
    nodes = json.dumps(plan if isinstance(plan, list) else json.loads(plan))
    assert '"Gather' not in nodes and '"Parallel Aware": true' not in nodes, nodes


@pytest.mark.parametrize("audience", ["organisation", "site", "networks"])
def test_a_broadcasts_preview_count_and_fan_out_use_indexes(
    demo, connection, session, config, audience
) -> None:
    from service.broadcasts.models import Broadcast
    from service.broadcasts.operations import create_broadcast, fan_out_batch, start_broadcast
    from service.broadcasts.preview import preview
    from service.content.models import Network

    networks = [n.id for n in session.query(Network).filter_by(organisation_id=demo.id)][:2]
    broadcast: Broadcast = create_broadcast(
        session,
        demo,
        body="Depot open as usual.",
        audience=audience,
        network_ids=networks if audience == "networks" else None,
        site_id=demo.sites[0].id if audience == "site" else None,
    )
    with recording(connection) as seen:
        preview(session, broadcast, config)
        start_broadcast(session, broadcast, config, utcnow())
        while fan_out_batch(session, broadcast, config, utcnow(), size=5):
            pass
    assert_indexed(connection, seen)


def test_the_reach_dashboard_and_its_csvs_use_indexes(console, managers, connection) -> None:
    # Members now come from the counts the database keeps, not from every membership.
    console.sign_in(managers["admin"].email, managers["admin"].totp_secret)
    with recording(connection) as seen:
        for path in ("/console/reach", "/console/reach.csv", "/console/reach/people.csv"):
            assert console.get(path).status_code == 200
        assert console.get("/console/reach", query_string={"group": "site"}).status_code == 200
    assert seen
    assert_indexed(connection, seen)


def test_a_broadcasts_progress_is_read_from_its_tallies_by_an_index(
    demo, connection, session, config
) -> None:
    # The console polls it all the while a broadcast goes out, and a broadcast to everyone
    # matches every one of its rows in the outbox, whose pages the send keeps rewriting: a count
    # there read the heap, 0.5-2.3 s at a million rows. The tallies are a few rows a broadcast.
    from service.broadcasts.operations import (
        create_broadcast,
        fan_out_batch,
        progress,
        start_broadcast,
    )
    from tests.support.outbox import minds_audience

    minds, members = minds_audience(session, demo)
    broadcast = create_broadcast(
        session, demo, body="Depot open as usual.", audience="networks", network_ids=[minds.id]
    )
    start_broadcast(session, broadcast, config, utcnow())
    while fan_out_batch(session, broadcast, config, utcnow(), size=5):
        pass
    with recording(connection) as seen:
        counted = progress(session, broadcast)
    assert counted.total == len(members)
    assert_indexed(connection, seen)
    assert [s for s, _p in seen if "outbound_message" in s] == []
    assert [s for s, _p in seen if "broadcast_tally" in s]


def _filtered_out(node: dict) -> Iterator[int]:
    """Rows each node of an analysed plan read on inbound_message and then threw away."""
    if node.get("Relation Name") == "inbound_message":
        yield int(node.get("Rows Removed by Filter", 0)) * int(node.get("Actual Loops", 1))
    for child in node.get("Plans", ()):
        yield from _filtered_out(child)


def _analysed(connection, statement: str, params: object) -> dict:
    """The plan PostgreSQL followed for one statement, with what each node read."""
    explain = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) "
    found = connection.exec_driver_sql(explain + statement, params).scalar()
    return (found if isinstance(found, list) else json.loads(found))[0]["Plan"]


def test_a_frequent_texters_text_reads_a_few_of_their_texts_not_all(
    member, demo, connection, session
) -> None:
    # A member who has sent 400 texts, none to the crisis line: asking first whether every
    # earlier text was a crisis text read all 400 on every text of theirs.
    contact = find_contact(session, demo.id, member.number)
    connection.exec_driver_sql(
        "INSERT INTO inbound_message (message_sid, organisation_id, contact_id, received_at,"
        " command, segments) SELECT 'SMhistory' || n, %(org)s, %(contact)s,"
        " %(now)s - make_interval(hours => n), 'events', 1 FROM generate_series(1, 400) AS n",
        {"org": demo.id, "contact": contact.id, "now": utcnow()},
    )
    connection.exec_driver_sql("ANALYZE inbound_message")
    with recording(connection) as seen:
        assert member.send("EVENTS").status == 200
    [(lookup, params)] = [(s, p) for s, p in seen if "welcome_owed" in s]
    assert sum(_filtered_out(_analysed(connection, lookup, params))) < 10


def test_a_purge_batch_reads_expired_texts_only_when_ids_are_out_of_time_order(
    demo, connection, session, config
) -> None:
    # A log restored or imported out of order: 2,000 recent texts hold lower ids than the 600
    # expired ones. Taken by id, every batch read all 2,000 recent texts to find its 500.
    now = utcnow()
    for first, count, age in ((1, 2000, "1 hour"), (3001, 600, "800 days")):
        connection.exec_driver_sql(
            "INSERT INTO inbound_message (message_sid, organisation_id, received_at, command,"
            " segments) SELECT 'SMlog' || n, %(org)s, %(now)s - %(age)s::interval, 'events', 1"
            " FROM generate_series(%(first)s::int, %(last)s::int) AS n",
            {"org": demo.id, "now": now, "age": age, "first": first, "last": first + count - 1},
        )
    connection.exec_driver_sql("ANALYZE inbound_message")
    [rule] = [rule for rule in retention.rules() if rule.name == "inbound_message"]
    with recording(connection) as seen:
        assert retention.purge_batch(session, rule, config, now, 500) == 500
    [(purge, params)] = [(s, p) for s, p in seen if s.lstrip().startswith("DELETE")]
    analysing = connection.begin_nested()  # EXPLAIN ANALYZE deletes the next batch: undo it
    # At this size the planner sorts the few expired rows; at millions it walks an index in
    # the batch's order instead. Pricing sorts out shows which index that is, and what it reads.
    connection.exec_driver_sql("SET LOCAL enable_sort = off")
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    assert sum(_filtered_out(_analysed(connection, purge, params))) < 10
    analysing.rollback()
    assert retention.purge_batch(session, rule, config, now, 500) == 100
    left = "SELECT count(*) FROM inbound_message WHERE message_sid LIKE 'SMlog%%'"
    assert connection.exec_driver_sql(left).scalar() == 2000


def _buffers(node: dict) -> int:
    """Pages a plan's nodes touched, summed over the tree (hits and reads)."""
    own = int(node.get("Shared Hit Blocks", 0)) + int(node.get("Shared Read Blocks", 0))
    return max(own, sum(_buffers(child) for child in node.get("Plans", ())))


def test_each_purge_batch_starts_where_the_last_one_ended(demo, connection, session, config):
    # The rows a run has deleted keep their index entries until a vacuum: a batch that started
    # from the beginning again visited every one (38,763 pages, 1.1 s, once 5,000,000 were gone).
    now = utcnow()
    connection.exec_driver_sql(
        "INSERT INTO inbound_message (message_sid, organisation_id, received_at, command,"
        " segments) SELECT 'SMold' || n, %(org)s, %(now)s - interval '800 days'"
        " + make_interval(secs => n), 'events', 1 FROM generate_series(1, 3000) AS n",
        {"org": demo.id, "now": now},
    )
    connection.exec_driver_sql("ANALYZE inbound_message")
    with recording(connection) as seen:
        counts = retention.purge(get_database(), config, now, batch=500)
    assert counts["inbound_message"] == 3000
    deletes = [(s, p) for s, p in seen if s.lstrip().startswith("DELETE FROM inbound_message")]
    assert len(deletes) == 7  # six full batches, then one that finds nothing left
    analysing = connection.begin_nested()
    last = _analysed(connection, *deletes[-1])
    analysing.rollback()
    assert _buffers(last) < 12  # 31 pages when it started over past the 3,000 deleted (3 now)


def test_a_purge_batch_is_planned_without_reading_the_rows_already_purged(
    committed_app, engine
) -> None:
    # Purged rows keep their index entries until a vacuum. Deleting by `id IN (subquery)` is a
    # join to the planner, which read the primary key's true lowest value from its index, past
    # every purged entry, to plan each batch: 3,235 pages (8.7 ms) once 1,073,500 were gone.
    # Committed, as a run's batches are: rows deleted in an open transaction stop that walk.
    # With 99,500 gone the second plan read 191 pages that way (the first walk having marked
    # their entries dead), and 6 by an array of the ids.
    config = committed_app.config["FRONTLINE"]
    database = get_database(committed_app)
    now = utcnow()
    with engine.begin() as conn:
        # The walk goes on until a vacuum: none may come in the middle of the test.
        conn.exec_driver_sql("ALTER TABLE inbound_message SET (autovacuum_enabled = off)")
        conn.exec_driver_sql(
            "INSERT INTO inbound_message (message_sid, organisation_id, received_at, command,"
            " segments) SELECT 'SMgone' || n, (SELECT min(id) FROM organisation),"
            " %(now)s - interval '800 days' + make_interval(secs => n), 'events', 1"
            " FROM generate_series(1, 100000) AS n",
            {"now": now},
        )
        conn.exec_driver_sql("ANALYZE inbound_message")
    try:
        [rule] = [rule for rule in retention.rules() if rule.name == "inbound_message"]
        with committed_app.app_context(), database.session() as session:
            deleted, start = retention.purge_step(session, rule, config, now, 99_500)
        assert deleted == 99_500
        with (
            committed_app.app_context(),
            database.session() as session,
            recording(session.connection()) as seen,
        ):
            assert retention.purge_step(session, rule, config, now, 500, start=start)[0] == 500
            session.rollback()
        [(purge, params)] = [(s, p) for s, p in seen if s.lstrip().startswith("DELETE")]
        with engine.connect() as conn:
            explain = "EXPLAIN (BUFFERS, SUMMARY, FORMAT JSON) " + purge
            conn.exec_driver_sql(explain, params)  # the catalogues read once, as a run does
            found = conn.exec_driver_sql(explain, params).scalar()
            conn.rollback()
        planning = (found if isinstance(found, list) else json.loads(found))[0]["Planning"]
        pages = planning.get("Shared Hit Blocks", 0) + planning.get("Shared Read Blocks", 0)
        assert pages < 50, planning
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE inbound_message RESET (autovacuum_enabled)")
