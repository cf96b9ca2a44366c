"""Broadcast tallies move once a statement again on PostgreSQL, not once a row

Migration 0039 made the outbox's UPDATE trigger a row trigger, so that an update changing no
status would cost nothing. But the updates a worker makes do change statuses, many rows at a
time: a claim moves 200 rows to "sending", a record of SIDs a window's worth to "sent". A row
trigger ran its upsert for each of them, and within one claim on the same two tally rows, each
upsert walking the versions the earlier ones had left: measured with backend CPU, 94-122 us a
row over 21-56 us for the update itself, about half of PostgreSQL's CPU a text sent. Over
transition tables the same counts cost 1 us a row for a claim of 200 and 19 us a row for
a record of 8 (one grouped upsert a statement). An update that changes no status (rare now:
a sweeper's queue time) pays about 0.1-0.3 ms a statement again.

Its counts also spread over 1,024 slots, not 8: each backend's go to pg_backend_pid() % 1024.
With 8, four worker processes' sixteen sending connections shared slots, and a record of SIDs
waited for another's commit on the same tally row (about one sending connection in sixteen
was waiting on such a lock at any moment). Live backends' ids seldom coincide modulo 1,024;
the progress poll adds up one row a status for each backend that moved the broadcast's texts
(tens), and 0038's insert and delete triggers keep their 8.

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-05 15:05:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0040"
down_revision = "0039"
branch_labels = None
depends_on = None

SLOT = "pg_backend_pid() % {slots}"
# 0038's statement trigger: the rows a statement moved, out of their old counts and into their
# new ones, each only while its broadcast is still there.
STATEMENT = (
    "INSERT INTO broadcast_tally (broadcast_id, status, slot, count)"
    " SELECT broadcast_id, status, {slot}, sum(n) FROM ("
    "SELECT broadcast_id, status, -1 AS n FROM before WHERE broadcast_id IS NOT NULL"
    " UNION ALL SELECT broadcast_id, status, 1 AS n FROM after WHERE broadcast_id IS NOT NULL"
    ") AS moved"
    " WHERE EXISTS (SELECT 1 FROM broadcast WHERE broadcast.id = moved.broadcast_id)"
    # The same order in every statement: two never wait on each other's rows crosswise.
    " GROUP BY broadcast_id, status HAVING sum(n) <> 0 ORDER BY broadcast_id, status"
    " ON CONFLICT (broadcast_id, status, slot)"
    " DO UPDATE SET count = broadcast_tally.count + excluded.count"
)
# 0039's row trigger, put back on downgrade.
ROW = (
    "INSERT INTO broadcast_tally (broadcast_id, status, slot, count)"
    " SELECT broadcast.id, moved.status, {slot}, moved.n"
    " FROM (VALUES (OLD.broadcast_id, OLD.status, -1), (NEW.broadcast_id, NEW.status, 1))"
    " AS moved (broadcast_id, status, n)"
    " JOIN broadcast ON broadcast.id = moved.broadcast_id"
    " ORDER BY broadcast.id, moved.status"
    " ON CONFLICT (broadcast_id, status, slot)"
    " DO UPDATE SET count = broadcast_tally.count + excluded.count"
)
WHEN = (
    "OLD.status IS DISTINCT FROM NEW.status OR OLD.broadcast_id IS DISTINCT FROM NEW.broadcast_id"
)


def _replace(body: str, slots: int, trigger: str) -> None:
    body = body.format(slot=SLOT.format(slots=slots))
    op.execute("DROP TRIGGER broadcast_tally_changed ON outbound_message")
    op.execute(
        "CREATE OR REPLACE FUNCTION broadcast_tally_changed() RETURNS trigger LANGUAGE plpgsql"
        f" AS $$ BEGIN {body}; RETURN NULL; END $$"
    )
    op.execute(f"CREATE TRIGGER broadcast_tally_changed AFTER UPDATE ON outbound_message {trigger}")


def upgrade() -> None:
    # SQLite has no statement triggers: its row triggers stay as they are.
    if op.get_bind().dialect.name == "postgresql":
        _replace(
            STATEMENT,
            1024,
            "REFERENCING OLD TABLE AS before NEW TABLE AS after"
            " FOR EACH STATEMENT EXECUTE FUNCTION broadcast_tally_changed()",
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _replace(ROW, 8, f"FOR EACH ROW WHEN ({WHEN}) EXECUTE FUNCTION broadcast_tally_changed()")
