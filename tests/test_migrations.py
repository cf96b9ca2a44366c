"""Migrations: head matches the models, and every step upgrades and downgrades cleanly."""

from __future__ import annotations

import ast
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command as alembic_command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from service.db import make_engine
from service.migrations import HERE, alembic_config
from service.models import Base

# empty_engine makes a database of its own on FRONTLINE_TEST_DATABASE_URL's server: `make
# check` runs these on PostgreSQL too.
pytestmark = pytest.mark.database


@pytest.fixture
def empty_engine(tmp_path: Path) -> Iterator[Engine]:
    """A database of its own, so migrating it cannot disturb the shared test schema."""
    base = os.environ.get("FRONTLINE_TEST_DATABASE_URL")
    if not base:
        eng = make_engine(f"sqlite:///{tmp_path / 'migrations.db'}")
        yield eng
        eng.dispose()
        return
    name = f"migrations_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    eng = make_engine(make_url(base).set(database=name).render_as_string(hide_password=False))
    try:
        yield eng
    finally:
        eng.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _migrate(engine: Engine, direction: str, revision: str) -> None:
    url = engine.url.render_as_string(hide_password=False)
    with engine.begin() as conn:
        getattr(alembic_command, direction)(alembic_config(url, conn), revision)


# The moment every row the data tests insert was made (:at in their statements).
AT = "2026-01-01 00:00:00"
# The organisation the data tests' rows belong to.
NORTH = (
    "INSERT INTO organisation (id, slug, name, timezone, default_language, created_at)"
    " VALUES (1, 'north', 'North', 'Europe/London', 'en', :at)"
)


def _insert(engine: Engine, *statements: str) -> None:
    """Run the INSERT statements in one transaction, :at standing for AT in each."""
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), {"at": AT} if ":at" in statement else {})


def _insert_answered_survey(engine: Engine, *, written: bool = False) -> None:
    """NORTH with one open survey of one question, one response and its answer (0022 on).

    written: the question is free text and the answer an (already sealed) text, not yes.
    """
    kind, answer = ("text", "NULL, 'sealed'") if written else ("yes_no", "1, NULL")
    _insert(
        engine,
        NORTH,
        (
            "INSERT INTO survey (id, organisation_id, title, intro, keyword, closes_at,"
            " status, mode, audience, network_ids, site_ids, created_at)"
            " VALUES (1, 1, 'Pulse', '', 'PULSE', :at, 'open', 'anonymous', 'open',"
            " '[]', '[]', :at)"
        ),
        (
            "INSERT INTO survey_question (id, survey_id, position, kind, text, options,"
            f" prefer_not) VALUES (1, 1, 1, '{kind}', 'Well?', '', true)"
        ),
        (
            "INSERT INTO survey_response (id, survey_id, channel, language, complete)"
            " VALUES ('r1', 1, 'sms', 'en', true)"
        ),
        (
            "INSERT INTO survey_answer (id, response_id, question_id, outcome, value,"
            f" text_encrypted) VALUES ('a1', 'r1', 1, 'answered', {answer})"
        ),
    )


def _rows(engine: Engine, *tables: str) -> tuple[int, ...]:
    """How many rows each table holds."""
    with engine.connect() as conn:
        return tuple(
            conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() for table in tables
        )


def _schema(engine: Engine) -> dict[str, object]:
    inspector = inspect(engine)
    return {
        table: (
            sorted(
                (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
            ),
            sorted(str(i["name"]) for i in inspector.get_indexes(table)),
            sorted(str(u["name"]) for u in inspector.get_unique_constraints(table)),
            sorted(str(f["name"]) for f in inspector.get_foreign_keys(table)),
        )
        for table in sorted(inspector.get_table_names())
        if table != "alembic_version"
    }


def test_head_matches_the_models(empty_engine: Engine) -> None:
    _migrate(empty_engine, "upgrade", "head")
    with empty_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_migrations_build_on_stored_formats_never_on_the_application() -> None:
    # A migration must mean what it meant when it was written: one that built its tables from
    # the models (or the helpers it shares, from anything that changes with the application)
    # would be rewritten by editing them. Stored formats (service.db's UTC moments) are the
    # one thing shared.
    allowed = {"service.db", "service.migrations.columns", "service.migrations.tables"}
    files = [HERE / "columns.py", HERE / "tables.py", *sorted((HERE / "versions").glob("*.py"))]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            ours = [n for n in names if n.split(".")[0] in {"service", "kiosk", "print_templates"}]
            assert set(ours) <= allowed, f"{path.name} imports {ours}"


@pytest.mark.slow  # every migration down and up again; make test keeps the head check
def test_every_migration_upgrades_and_downgrades(empty_engine: Engine) -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    assert revisions, "no migrations found"
    for revision in revisions:
        _migrate(empty_engine, "upgrade", revision)
        before = _schema(empty_engine)
        _migrate(empty_engine, "downgrade", "-1")
        _migrate(empty_engine, "upgrade", revision)
        assert _schema(empty_engine) == before, f"round trip of {revision} changed the schema"
    _migrate(empty_engine, "downgrade", "base")
    assert _schema(empty_engine) == {}


def test_networks_made_before_colours_get_the_palette_in_print_order(empty_engine: Engine) -> None:
    from service.content.colours import PALETTE, band_colours

    _migrate(empty_engine, "upgrade", "0019")
    created = "2026-01-01 00:00:00"
    with empty_engine.begin() as conn:
        for org, slug in ((1, "north"), (2, "south")):
            conn.execute(
                text(
                    "INSERT INTO organisation (id, slug, name, timezone, default_language,"
                    " created_at) VALUES (:id, :slug, :slug, 'Europe/London', 'en', :at)"
                ),
                {"id": org, "slug": slug, "at": created},
            )
        for org, name in ((1, "Women"), (1, "Careers"), (1, "LGBT+"), (2, "Carers")):
            conn.execute(
                text(
                    "INSERT INTO network (organisation_id, slug, name, short_description,"
                    " long_description, sensitive, discreet_name, created_at)"
                    " VALUES (:org, :slug, :name, 'x', '', false, '', :at)"
                ),
                {"org": org, "slug": name.lower(), "name": name, "at": created},
            )
        conn.execute(
            text(
                "INSERT INTO network_keyword (organisation_id, network_id, language, word)"
                " SELECT organisation_id, id, 'en', upper(slug) FROM network"
            )
        )
    _migrate(empty_engine, "upgrade", "head")
    with empty_engine.connect() as conn:
        colours = dict(conn.execute(text("SELECT name, colour FROM network")).all())
    # Adding the column rebuilt nothing: a rebuilt table on SQLite, dropped with foreign keys
    # on, would have taken every network's keywords with it (ON DELETE CASCADE).
    assert _rows(empty_engine, "network_keyword") == (4,)
    # Alphabetical within each organisation, as their posters print; each organisation afresh.
    assert colours == {
        "Careers": PALETTE[0],
        "LGBT+": PALETTE[1],
        "Women": PALETTE[2],
        "Carers": PALETTE[0],
    }
    assert all(band_colours(c).legible for c in colours.values())
    _migrate(empty_engine, "downgrade", "0019")
    assert _rows(empty_engine, "network_keyword") == (4,)


def test_downgrading_headcount_and_held_languages_keeps_what_references_them(
    empty_engine: Engine,
) -> None:
    # Dropping site.headcount or broadcast.held_languages must not rebuild the table: on
    # SQLite a rebuild drops the old table, and with foreign keys on that deletes every row
    # pointing at it with ON DELETE CASCADE (a site's kiosk keys, a broadcast's texts).
    _migrate(empty_engine, "upgrade", "0024")
    _insert(
        empty_engine,
        NORTH,
        (
            "INSERT INTO site (id, organisation_id, slug, name, kind, address,"
            " kiosk_enabled, default_language, headcount)"
            " VALUES (1, 1, 'depot', 'Depot', 'depot', '', false, 'en', 40)"
        ),
        (
            "INSERT INTO kiosk_key (organisation_id, site_id, public_key, created_at)"
            " VALUES (1, 1, 'key', :at)"
        ),
        (
            "INSERT INTO broadcast (id, organisation_id, body, audience, urgent, status,"
            " recipients, created_at, fanned_out, held_languages)"
            " VALUES (1, 1, 'Hello', 'all', false, 'sending', 1, :at, 1, '[\"so\"]')"
        ),
        (
            "INSERT INTO outbound_message (organisation_id, to_encrypted, broadcast_id,"
            " kind, dedupe_key, body_encrypted, body_hash, language, urgent, status,"
            " attempts, segments, cost_estimate_pence, created_at)"
            " VALUES (1, 'x', 1, 'broadcast', 'b1', 'x', 'h', 'en', false, 'sent',"
            " 1, 1, 0, :at)"
        ),
    )
    _migrate(empty_engine, "downgrade", "0020")
    assert _rows(empty_engine, "outbound_message", "kiosk_key") == (1, 1)


@pytest.mark.parametrize(
    ("revision", "added", "value"),
    [
        # Responses made before kiosk and public screens count as verified.
        ("0029", "SELECT verified FROM survey_response", True),
        # Surveys made before paper returns have no return box yet.
        ("0032", "SELECT return_to FROM survey", ""),
        # Questions written before equality monitoring are all the author's own.
        ("0034", "SELECT monitoring FROM survey_question", None),
    ],
)
def test_columns_added_to_surveys_keep_every_answer(
    empty_engine: Engine, revision: str, added: str, value: object
) -> None:
    # Each adds its column in place: a rebuild of survey or survey_response on SQLite would
    # cascade-delete the answers (and questions) pointing at their rows.
    before = f"{int(revision) - 1:04d}"
    _migrate(empty_engine, "upgrade", before)
    _insert_answered_survey(empty_engine)
    _migrate(empty_engine, "upgrade", revision)
    with empty_engine.connect() as conn:
        assert conn.execute(text(added)).scalar() == value
    assert _rows(empty_engine, "survey_answer") == (1,)
    _migrate(empty_engine, "downgrade", before)
    assert _rows(empty_engine, "survey_answer") == (1,)


def test_answers_and_surveys_keep_their_rows_through_the_phone_recordings_migration(
    empty_engine: Engine,
) -> None:
    # 0031 rebuilds survey_answer on SQLite (to add its foreign key to survey_recording): no
    # table references survey_answer, so no row anywhere is cascade-deleted; survey, which
    # others reference, only gains a column.
    _migrate(empty_engine, "upgrade", "0030")
    _insert_answered_survey(empty_engine, written=True)
    _migrate(empty_engine, "upgrade", "0031")
    with empty_engine.connect() as conn:
        row = conn.execute(
            text("SELECT response_id, text_encrypted, recording_id FROM survey_answer")
        ).one()
        reminded = conn.execute(text("SELECT reminded_at FROM survey")).scalar()
    assert tuple(row) == ("r1", "sealed", None) and reminded is None
    assert _rows(empty_engine, "survey", "survey_question", "survey_response") == (1, 1, 1)
    _migrate(empty_engine, "downgrade", "0030")
    assert _rows(empty_engine, "survey_answer", "survey_response") == (1, 1)


def test_member_counts_start_from_the_memberships_already_there(empty_engine: Engine) -> None:
    # 0036 fills the kept counts from what is there, then its triggers keep them: a join after
    # the upgrade adds to the filled figures, and the downgrade leaves every membership.
    _migrate(empty_engine, "upgrade", "0035")
    _insert(
        empty_engine,
        NORTH,
        (
            "INSERT INTO site (id, organisation_id, slug, name, kind, address,"
            " kiosk_enabled, default_language) VALUES (1, 1, 'depot', 'Depot', 'depot', '',"
            " false, 'en')"
        ),
        *(
            "INSERT INTO network (id, organisation_id, slug, name, short_description,"
            f" long_description, sensitive, discreet_name, created_at) VALUES ({n}, 1,"
            f" 'n{n}', 'N{n}', 'x', '', false, '', :at)"
            for n in (1, 2)
        ),
        *(
            "INSERT INTO contact (id, organisation_id, phone_encrypted, phone_index, language,"
            f" discreet, site_id, created_at, last_seen_at) VALUES ({c}, 1, 'x', 'i{c}', 'en',"
            f" false, {site}, :at, :at)"
            for c, site in ((1, 1), (2, 1), (3, "NULL"))
        ),
        *(
            "INSERT INTO membership (contact_id, network_id, joined_at, channel)"
            f" VALUES ({c}, {n}, :at, 'sms')"
            for c, n in ((1, 1), (1, 2), (2, 1), (3, 2))
        ),
    )
    _migrate(empty_engine, "upgrade", "0036")
    members = "SELECT network_id, site_id, count FROM reach_members ORDER BY 1, 2"
    people = "SELECT site_id, count FROM reach_member_people ORDER BY 1"
    with empty_engine.connect() as conn:
        assert conn.execute(text(members)).all() == [(1, 1, 2), (2, 0, 1), (2, 1, 1)]
        assert conn.execute(text(people)).all() == [(0, 1), (1, 2)]
    _insert(
        empty_engine,
        "INSERT INTO membership (contact_id, network_id, joined_at, channel)"
        " VALUES (3, 1, :at, 'sms')",
    )
    with empty_engine.connect() as conn:
        assert conn.execute(text(members)).all() == [(1, 0, 1), (1, 1, 2), (2, 0, 1), (2, 1, 1)]
        assert conn.execute(text(people)).all() == [(0, 1), (1, 2)]
    _migrate(empty_engine, "downgrade", "0035")
    assert _rows(empty_engine, "membership", "contact") == (5, 3)


def test_broadcast_tallies_follow_updates_of_many_rows_either_side_of_0040(
    empty_engine: Engine,
) -> None:
    # 0040 counts a statement's moved rows together on PostgreSQL (0039 counted them one by
    # one): a claim of several rows, and an update that moves no status, count the same both
    # ways, and after a downgrade as well.
    _migrate(empty_engine, "upgrade", "0040")
    _insert(
        empty_engine,
        NORTH,
        "INSERT INTO broadcast (id, organisation_id, body, audience, urgent, status, recipients,"
        " created_at) VALUES (1, 1, 'Depot closed.', 'organisation', false, 'sending', 4, :at)",
        *(
            "INSERT INTO outbound_message (organisation_id, broadcast_id, contact_id, kind,"
            " dedupe_key, body_encrypted, body_hash, language, urgent, status, attempts,"
            f" segments, cost_estimate_pence, created_at) VALUES (1, 1, NULL, 'broadcast',"
            f" 'b1:{n}', 'x', 'h', 'en', false, 'pending', 0, 1, 0, :at)"
            for n in range(4)
        ),
    )
    tally = (
        "SELECT status, sum(count) FROM broadcast_tally WHERE broadcast_id = 1"
        " GROUP BY status HAVING sum(count) <> 0 ORDER BY status"
    )

    def moved(*updates: str) -> list:
        with empty_engine.begin() as conn:
            for update in updates:
                conn.execute(text(update))
            return [tuple(row) for row in conn.execute(text(tally))]

    claim = "UPDATE outbound_message SET status = 'sending', attempts = attempts + 1"
    assert moved(f"{claim} WHERE dedupe_key IN ('b1:0', 'b1:1', 'b1:2')") == [
        ("pending", 1),
        ("sending", 3),
    ]
    assert moved(
        "UPDATE outbound_message SET queued_at = NULL WHERE broadcast_id = 1",
        "UPDATE outbound_message SET status = 'sent' WHERE dedupe_key IN ('b1:0', 'b1:1')",
    ) == [("pending", 1), ("sending", 1), ("sent", 2)]
    _migrate(empty_engine, "downgrade", "0039")
    assert moved(f"{claim} WHERE dedupe_key = 'b1:3'") == [("sending", 2), ("sent", 2)]
    _migrate(empty_engine, "upgrade", "0040")
    assert moved("UPDATE outbound_message SET status = 'sent' WHERE status = 'sending'") == [
        ("sent", 4)
    ]


def _outbox_rows(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT id FROM outbound_message ORDER BY id")).scalars())


def test_outbox_rows_still_go_with_their_contact_broadcast_and_organisation(
    empty_engine: Engine,
) -> None:
    # 0041 drops the outbox's three foreign keys (a fan-out checked them row by row) and
    # keeps their cascades as triggers: deleting a contact (an erasure), a broadcast or an
    # organisation still deletes its texts; the downgrade puts the keys back. 0042 makes three
    # indexes partial: a sent text's SID is still unique.
    _migrate(empty_engine, "upgrade", "0040")
    south = NORTH.replace("(1, 'north', 'North'", "(2, 'south', 'South'")
    outbox = (
        "INSERT INTO outbound_message (id, organisation_id, contact_id, broadcast_id, kind,"
        " dedupe_key, body_encrypted, body_hash, language, urgent, status, attempts, segments,"
        " cost_estimate_pence, created_at) VALUES ({id}, {org}, {contact}, {broadcast},"
        " 'broadcast', 'k{id}', 'b', 'h', 'en', false, 'pending', 0, 1, 0, :at)"
    )
    rows = (
        (1, 1, 1, 1),  # Ann's copy of the broadcast
        (2, 1, 2, 1),  # Bob's copy
        (3, 1, 2, "NULL"),  # a code to Bob
        (4, 1, "NULL", "NULL"),  # a code to a typed number
        (5, 2, 3, "NULL"),  # South's person: stays till South goes
    )
    _insert(
        empty_engine,
        NORTH,
        south,
        *(
            "INSERT INTO contact (id, organisation_id, phone_encrypted, phone_index, language,"
            f" discreet, created_at, last_seen_at) VALUES ({c}, {org}, 'x', 'i{c}', 'en',"
            " false, :at, :at)"
            for c, org in ((1, 1), (2, 1), (3, 2))
        ),
        "INSERT INTO broadcast (id, organisation_id, body, audience, urgent, status, recipients,"
        " created_at, fanned_out) VALUES (1, 1, 'Hi', 'organisation', false, 'sending', 2, :at, 0)",
        *(outbox.format(id=i, org=org, contact=c, broadcast=b) for i, org, c, b in rows if i != 5),
        outbox.format(id=5, org=2, contact=3, broadcast="NULL"),
    )
    _migrate(empty_engine, "upgrade", "head")
    with empty_engine.begin() as conn:
        # The tallies (0038's triggers, made again on SQLite's rebuilt table) still count.
        conn.execute(text(outbox.format(id=6, org=1, contact=1, broadcast=1)), {"at": AT})
        tally = "SELECT sum(count) FROM broadcast_tally WHERE broadcast_id = 1"
        assert conn.execute(text(tally)).scalar_one() == 3
        conn.execute(text("DELETE FROM contact WHERE id = 1"))
    assert _outbox_rows(empty_engine) == [2, 3, 4, 5]
    with empty_engine.begin() as conn:
        assert conn.execute(text(tally)).scalar_one() == 1
        conn.execute(text("DELETE FROM broadcast WHERE id = 1"))
    assert _outbox_rows(empty_engine) == [3, 4, 5]
    with empty_engine.begin() as conn:
        conn.execute(text("DELETE FROM organisation WHERE id = 1"))
    assert _outbox_rows(empty_engine) == [5]
    with empty_engine.begin() as conn:
        conn.execute(text("UPDATE outbound_message SET twilio_sid = 'SM1' WHERE id = 5"))
    with pytest.raises(IntegrityError), empty_engine.begin() as conn:
        conn.execute(text(outbox.format(id=7, org=2, contact=3, broadcast="NULL")), {"at": AT})
        conn.execute(text("UPDATE outbound_message SET twilio_sid = 'SM1' WHERE id = 7"))
    _migrate(empty_engine, "downgrade", "0040")
    with empty_engine.begin() as conn:
        conn.execute(text("DELETE FROM contact WHERE id = 3"))
    assert _outbox_rows(empty_engine) == []  # the key's own cascade again
    with empty_engine.connect() as conn:
        keys = {f["name"] for f in inspect(conn).get_foreign_keys("outbound_message")}
    assert keys == {
        "fk_outbound_message_contact_id_contact",
        "fk_outbound_message_broadcast_id_broadcast",
        "fk_outbound_message_organisation_id_organisation",
    }
