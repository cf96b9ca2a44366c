"""Broadcast tallies move on PostgreSQL only when a row's status or broadcast changes

Migration 0038's statement trigger ran on every UPDATE of the outbox, whatever it changed:
a sender's attempts, a SID, a queue time. Each such statement then paid for its transition
tables and a grouped insert, 0.13 -> 0.47 ms for a one-row update. A row trigger whose WHEN
compares the old and new status and broadcast costs nothing where they did not change (the
condition is checked before any function runs), and one small upsert where they did.
Inserts (a fan-out batch: one count for 10,000 rows) and deletes keep their statement triggers.

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-05 12:35:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0039"
down_revision = "0038"
branch_labels = None
depends_on = None

SLOT = "pg_backend_pid() % 8"
# A row moved: out of its old count and into its new one, each only while its broadcast is
# still there (a broadcast being deleted takes its counts with it).
MOVED = (
    "INSERT INTO broadcast_tally (broadcast_id, status, slot, count)"
    " SELECT broadcast.id, moved.status, {slot}, moved.n"
    " FROM (VALUES (OLD.broadcast_id, OLD.status, -1), (NEW.broadcast_id, NEW.status, 1))"
    " AS moved (broadcast_id, status, n)"
    " JOIN broadcast ON broadcast.id = moved.broadcast_id"
    # The same order in every statement: two never wait on each other's rows crosswise.
    " ORDER BY broadcast.id, moved.status"
    " ON CONFLICT (broadcast_id, status, slot)"
    " DO UPDATE SET count = broadcast_tally.count + excluded.count"
)
WHEN = (
    "OLD.status IS DISTINCT FROM NEW.status OR OLD.broadcast_id IS DISTINCT FROM NEW.broadcast_id"
)
# 0038's statement trigger, put back on downgrade.
STATEMENT = (
    "INSERT INTO broadcast_tally (broadcast_id, status, slot, count)"
    " SELECT broadcast_id, status, {slot}, sum(n) FROM ("
    "SELECT broadcast_id, status, -1 AS n FROM before WHERE broadcast_id IS NOT NULL"
    " UNION ALL SELECT broadcast_id, status, 1 AS n FROM after WHERE broadcast_id IS NOT NULL"
    ") AS moved"
    " WHERE EXISTS (SELECT 1 FROM broadcast WHERE broadcast.id = moved.broadcast_id)"
    " GROUP BY broadcast_id, status HAVING sum(n) <> 0 ORDER BY broadcast_id, status"
    " ON CONFLICT (broadcast_id, status, slot)"
    " DO UPDATE SET count = broadcast_tally.count + excluded.count"
)


def _replace(body: str, trigger: str) -> None:
    op.execute("DROP TRIGGER broadcast_tally_changed ON outbound_message")
    op.execute(
        "CREATE OR REPLACE FUNCTION broadcast_tally_changed() RETURNS trigger LANGUAGE plpgsql"
        f" AS $$ BEGIN {body.format(slot=SLOT)}; RETURN NULL; END $$"
    )
    op.execute(f"CREATE TRIGGER broadcast_tally_changed AFTER UPDATE ON outbound_message {trigger}")


def upgrade() -> None:
    # SQLite's triggers were row triggers with this condition from the start.
    if op.get_bind().dialect.name == "postgresql":
        _replace(
            MOVED,
            f"FOR EACH ROW WHEN ({WHEN}) EXECUTE FUNCTION broadcast_tally_changed()",
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _replace(
            STATEMENT,
            "REFERENCING OLD TABLE AS before NEW TABLE AS after"
            " FOR EACH STATEMENT EXECUTE FUNCTION broadcast_tally_changed()",
        )
