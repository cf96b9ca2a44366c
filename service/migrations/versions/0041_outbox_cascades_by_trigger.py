"""The outbox's rows go with their contact, broadcast and organisation by trigger, not by key

A broadcast's fan-out writes a million outbox rows. PostgreSQL checks each row's three foreign
keys (contact, broadcast, organisation) one by one, each a trigger running a locking lookup:
EXPLAIN ANALYZE of a 10,000-row batch on the national-scale database gave 670-810 ms, of which
the three checks were 290-300 ms and made the insert itself slower; without them 200-245 ms.
The fan-out's own SELECT already guarantees what the checks would: it reads the contacts
it writes for, of the broadcast it holds, of that broadcast's organisation.

What each key protected stays protected:
- ON DELETE CASCADE: a row trigger on contact, broadcast and organisation deletes their outbox
  rows, as the cascade did (same lookups by index, same transaction), so erasing a contact (and
  FORGET ME) still deletes every text queued for them, and a deleted organisation or broadcast
  leaves none behind.
- No row for a contact being erased: a fan-out batch holds a shared lock on its organisation's
  erasures (service.outbox.operations) while it writes, and an erasure takes it exclusively
  before it deletes, so an erasure waits for the batches under way and later batches no longer
  see the contact. Any other row written for a contact erased at that moment is never sent:
  the sender refuses it ("contact erased"), as it did before.

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-05 15:10:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0041"
down_revision = "0040"
branch_labels = None
depends_on = None

# (the parent table, the outbox column pointing at it, the trigger deleting its rows)
PARENTS = (
    ("contact", "contact_id", "outbox_follows_contact"),
    ("broadcast", "broadcast_id", "outbox_follows_broadcast"),
    ("organisation", "organisation_id", "outbox_follows_organisation"),
)


def _key(parent: str, column: str) -> str:
    return f"fk_outbound_message_{column}_{parent}"


# Migration 0038's SQLite triggers on the outbox: rebuilding the table (SQLite's only way to
# drop a foreign key) drops them, so they are made again, word for word.
_ADD = (
    "INSERT INTO broadcast_tally (broadcast_id, status, slot, count)"
    " SELECT broadcast_id, status, 0, sum(n) FROM ({rows}) AS moved"
    " WHERE EXISTS (SELECT 1 FROM broadcast WHERE broadcast.id = moved.broadcast_id)"
    " GROUP BY broadcast_id, status HAVING sum(n) <> 0 ORDER BY broadcast_id, status"
    " ON CONFLICT (broadcast_id, status, slot)"
    " DO UPDATE SET count = broadcast_tally.count + excluded.count"
)


def _one(row: str, sign: int) -> str:
    return f"SELECT {row}.broadcast_id AS broadcast_id, {row}.status AS status, {sign} AS n"


SQLITE_TALLY = (
    ("broadcast_tally_added", "AFTER INSERT", "NEW.broadcast_id IS NOT NULL", (_one("NEW", 1),)),
    (
        "broadcast_tally_changed",
        "AFTER UPDATE OF status, broadcast_id",
        "OLD.status IS NOT NEW.status OR OLD.broadcast_id IS NOT NEW.broadcast_id",
        (_one("OLD", -1), _one("NEW", 1)),
    ),
    ("broadcast_tally_removed", "AFTER DELETE", "OLD.broadcast_id IS NOT NULL", (_one("OLD", -1),)),
)


def _sqlite_tally() -> None:
    for name, event, when, rows in SQLITE_TALLY:
        body = " ".join(_ADD.format(rows=r) + ";" for r in rows)
        op.execute(
            f"CREATE TRIGGER {name} {event} ON outbound_message FOR EACH ROW WHEN {when} "
            f"BEGIN {body} END"
        )


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        for parent, column, _trigger in PARENTS:
            op.drop_constraint(_key(parent, column), "outbound_message", type_="foreignkey")
    else:
        with op.batch_alter_table("outbound_message", recreate="always") as batch:
            for parent, column, _trigger in PARENTS:
                batch.drop_constraint(_key(parent, column), type_="foreignkey")
        _sqlite_tally()
    for parent, column, trigger in PARENTS:
        # Names from PARENTS above, never from input.
        delete = f"DELETE FROM outbound_message WHERE {column} = OLD.id"  # noqa: S608
        if postgresql:
            op.execute(
                f"CREATE FUNCTION {trigger}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"{delete}; RETURN NULL; END $$"
            )
            op.execute(
                f"CREATE TRIGGER {trigger} AFTER DELETE ON {parent}"
                f" FOR EACH ROW EXECUTE FUNCTION {trigger}()"
            )
        else:
            op.execute(
                f"CREATE TRIGGER {trigger} AFTER DELETE ON {parent}"
                f" FOR EACH ROW BEGIN {delete}; END"
            )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for parent, column, trigger in reversed(PARENTS):
        op.execute(
            f"DROP TRIGGER {trigger} ON {parent}" if postgresql else f"DROP TRIGGER {trigger}"
        )
        if postgresql:
            op.execute(f"DROP FUNCTION {trigger}()")
        # A row whose parent went while no key held it would fail the key: it goes first.
        op.execute(
            f"DELETE FROM outbound_message WHERE {column} IS NOT NULL AND NOT EXISTS"  # noqa: S608
            f" (SELECT 1 FROM {parent} WHERE {parent}.id = outbound_message.{column})"
        )
    if postgresql:
        for parent, column, _trigger in PARENTS:
            op.create_foreign_key(
                _key(parent, column),
                "outbound_message",
                parent,
                [column],
                ["id"],
                ondelete="CASCADE",
            )
        return
    with op.batch_alter_table("outbound_message", recreate="always") as batch:
        for parent, column, _trigger in PARENTS:
            batch.create_foreign_key(
                _key(parent, column), parent, [column], ["id"], ondelete="CASCADE"
            )
    _sqlite_tally()
