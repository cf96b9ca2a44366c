"""A broadcast's texts counted by status as they change: the progress poll reads a few rows

The console's progress panel counted a broadcast's outbox rows by status on every poll. While a
broadcast goes out most of its pages have just been rewritten, so even the (broadcast_id,
status) index made the count read the heap: 0.5-2.3 s at a million rows, every two seconds.
Now broadcast_tally holds the counts, moved by triggers in the same transaction as whatever
changes a row (a fan-out batch, a claim, a send, a delivery report, a cancel, an erasure's
cascade), so the poll sums at most a few dozen rows.

On PostgreSQL the triggers run once per statement over its transition tables (a fan-out
batch of 10,000 rows adds one count, not 10,000), and each backend adds to its own slot
(its process id modulo SLOTS): workers and webhooks moving the same broadcast's statuses at
once do not queue on one row. The poll adds the slots up. SQLite has one writer at a time and
no statement triggers: a row trigger counts into slot 0.

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-05 11:45:00.000000
"""

from __future__ import annotations

from alembic import op

from service.migrations.columns import integer, ref, string
from service.migrations.tables import create, drop, table

revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None

SLOTS = 8
TALLY = table(
    "broadcast_tally",
    ref("broadcast_id", "broadcast"),
    string("status", 12),
    integer("slot"),
    integer("count"),
    unique=[("broadcast_id", "status", "slot")],
)

# Counts of a broadcast being deleted go with it (its cascade deletes its rows, and this
# trigger would otherwise count them back in after the broadcast's own row had gone).
ADD = (
    "INSERT INTO broadcast_tally (broadcast_id, status, slot, count)"
    " SELECT broadcast_id, status, {slot}, sum(n) FROM ({rows}) AS moved"
    " WHERE EXISTS (SELECT 1 FROM broadcast WHERE broadcast.id = moved.broadcast_id)"
    # The same order in every statement: two never wait on each other's rows crosswise.
    " GROUP BY broadcast_id, status HAVING sum(n) <> 0 ORDER BY broadcast_id, status"
    " ON CONFLICT (broadcast_id, status, slot)"
    " DO UPDATE SET count = broadcast_tally.count + excluded.count"
)


# A statement's moved rows as (broadcast, status, +1 or -1), from its transition tables.
ADDED = "SELECT broadcast_id, status, 1 AS n FROM added WHERE broadcast_id IS NOT NULL"
BEFORE = "SELECT broadcast_id, status, -1 AS n FROM before WHERE broadcast_id IS NOT NULL"
AFTER = "SELECT broadcast_id, status, 1 AS n FROM after WHERE broadcast_id IS NOT NULL"
REMOVED = "SELECT broadcast_id, status, -1 AS n FROM removed WHERE broadcast_id IS NOT NULL"
EXISTING = "SELECT broadcast_id, status, 1 AS n FROM outbound_message"


PG_SLOT = f"pg_backend_pid() % {SLOTS}"
PG_TRIGGERS = (
    ("broadcast_tally_added", "INSERT", "NEW TABLE AS added", ADDED),
    (
        "broadcast_tally_changed",
        "UPDATE",
        "OLD TABLE AS before NEW TABLE AS after",
        f"{BEFORE} UNION ALL {AFTER}",
    ),
    ("broadcast_tally_removed", "DELETE", "OLD TABLE AS removed", REMOVED),
)


def _one(row: str, sign: int) -> str:
    return f"SELECT {row}.broadcast_id AS broadcast_id, {row}.status AS status, {sign} AS n"


SQLITE_TRIGGERS = (
    ("broadcast_tally_added", "AFTER INSERT", "NEW.broadcast_id IS NOT NULL", (_one("NEW", 1),)),
    (
        "broadcast_tally_changed",
        "AFTER UPDATE OF status, broadcast_id",
        "OLD.status IS NOT NEW.status OR OLD.broadcast_id IS NOT NEW.broadcast_id",
        (_one("OLD", -1), _one("NEW", 1)),
    ),
    (
        "broadcast_tally_removed",
        "AFTER DELETE",
        "OLD.broadcast_id IS NOT NULL",
        (_one("OLD", -1),),
    ),
)

BACKFILL = ADD.format(slot="0", rows=EXISTING)


def upgrade() -> None:
    create(TALLY)
    op.execute(BACKFILL)
    if op.get_bind().dialect.name == "postgresql":
        for name, event, transition, rows in PG_TRIGGERS:
            op.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"{ADD.format(slot=PG_SLOT, rows=rows)}; RETURN NULL; END $$"
            )
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON outbound_message"
                f" REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
        return
    for name, event, when, rows in SQLITE_TRIGGERS:
        body = " ".join(ADD.format(slot="0", rows=r) + ";" for r in rows)
        op.execute(
            f"CREATE TRIGGER {name} {event} ON outbound_message FOR EACH ROW WHEN {when} "
            f"BEGIN {body} END"
        )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, *_rest in reversed(PG_TRIGGERS):
        op.execute(
            f"DROP TRIGGER {name} ON outbound_message" if postgresql else f"DROP TRIGGER {name}"
        )
        if postgresql:
            op.execute(f"DROP FUNCTION {name}()")
    drop(TALLY)
