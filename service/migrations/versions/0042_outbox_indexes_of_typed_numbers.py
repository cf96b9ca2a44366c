"""The outbox indexes a fan-out's rows never use hold only the rows that use them

A fan-out row (a broadcast's copy to a contact) writes nine index entries; three of them are
for columns such a row leaves empty or that nothing looks it up by: to_index (the blind index
of a typed number: NULL on a contact's text), twilio_sid (NULL until the text is sent) and
organisation_id (looked up only when an organisation goes, for the texts to typed numbers:
a contact's texts go with the contact). Each becomes a partial index of the rows that hold it:
EXPLAIN ANALYZE of a 10,000-row fan-out batch at national scale wrote 70,700 WAL records
instead of 100,900 and took about a seventh less time. A sent text's SID is still unique.

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-05 15:00:00.000000
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision = "0042"
down_revision = "0041"
branch_labels = None
depends_on = None

TO_INDEX = "to_index IS NOT NULL"
SID = "twilio_sid IS NOT NULL"
TYPED = "contact_id IS NULL"
SID_NAME = "uq_outbound_message_twilio_sid"
# 0041's triggers deleting the outbox rows of a deleted parent (SQLite's; the organisation's
# is made again by _org_trigger).
FOLLOWS = (("contact", "contact_id"), ("broadcast", "broadcast_id"))


def _partial(name: str, column: str, where: str, *, unique: bool = False) -> None:
    op.create_index(
        name,
        "outbound_message",
        [column],
        unique=unique,
        postgresql_where=sa.text(where),
        sqlite_where=sa.text(where),
    )


def _org_trigger(where: str) -> None:
    """The organisation's outbox rows go with it: those matching `where` (0041: all of them)."""
    delete = f"DELETE FROM outbound_message WHERE organisation_id = OLD.id{where}"  # noqa: S608
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION outbox_follows_organisation() RETURNS trigger"
            f" LANGUAGE plpgsql AS $$ BEGIN {delete}; RETURN NULL; END $$"
        )
        return
    op.execute("DROP TRIGGER IF EXISTS outbox_follows_organisation")
    op.execute(
        "CREATE TRIGGER outbox_follows_organisation AFTER DELETE ON organisation"
        f" FOR EACH ROW BEGIN {delete}; END"
    )


def upgrade() -> None:
    # SQLite's unique constraints live in the table: it is rebuilt without this one, first,
    # while every index it copies is a plain one.
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_rebuild(lambda batch: batch.drop_constraint(SID_NAME, type_="unique"))
    else:
        op.drop_constraint(SID_NAME, "outbound_message", type_="unique")
    _partial(SID_NAME, "twilio_sid", SID, unique=True)
    op.drop_index("ix_outbound_message_to_index", table_name="outbound_message")
    _partial("ix_outbound_message_to_index", "to_index", TO_INDEX)
    op.drop_index("ix_outbound_message_organisation_id", table_name="outbound_message")
    _partial("ix_outbound_message_organisation_id", "organisation_id", TYPED)
    # A contact's texts go with the contact (0041's trigger; the contacts go with their
    # organisation by its key), so the organisation's own trigger looks for the others only.
    _org_trigger(f" AND {TYPED}")


def downgrade() -> None:
    op.drop_index("ix_outbound_message_organisation_id", table_name="outbound_message")
    op.create_index("ix_outbound_message_organisation_id", "outbound_message", ["organisation_id"])
    op.drop_index("ix_outbound_message_to_index", table_name="outbound_message")
    op.create_index("ix_outbound_message_to_index", "outbound_message", ["to_index"])
    op.drop_index(SID_NAME, table_name="outbound_message")
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_rebuild(lambda batch: batch.create_unique_constraint(SID_NAME, ["twilio_sid"]))
    else:
        op.create_unique_constraint(SID_NAME, "outbound_message", ["twilio_sid"])
    _org_trigger("")


# Migration 0038's SQLite triggers on the outbox: rebuilding the table drops them, so they are
# made again, word for word (as 0041 does).
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


def _sqlite_rebuild(change: Callable[[BatchOperations], None]) -> None:
    """Rebuild SQLite's outbox table with `change`: triggers naming it go first and come back."""
    for parent, _column in FOLLOWS:
        op.execute(f"DROP TRIGGER outbox_follows_{parent}")
    op.execute("DROP TRIGGER outbox_follows_organisation")
    with op.batch_alter_table("outbound_message", recreate="always") as batch:
        change(batch)
    _sqlite_tally()
    for parent, column in FOLLOWS:
        delete = f"DELETE FROM outbound_message WHERE {column} = OLD.id"  # noqa: S608
        op.execute(
            f"CREATE TRIGGER outbox_follows_{parent} AFTER DELETE ON {parent}"
            f" FOR EACH ROW BEGIN {delete}; END"
        )
    # The organisation's is made again by the caller (_org_trigger), as its side has it.


def _sqlite_tally() -> None:
    for name, event, when, rows in SQLITE_TALLY:
        body = " ".join(_ADD.format(rows=r) + ";" for r in rows)
        op.execute(
            f"CREATE TRIGGER {name} {event} ON outbound_message FOR EACH ROW WHEN {when} "
            f"BEGIN {body} END"
        )
