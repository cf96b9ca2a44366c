"""Console work: reach tallies, and bridged call-backs (a lead's phone, attempts, who closed)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 12:47:08.090408
"""

from __future__ import annotations

from alembic import op

from service.migrations.columns import day, defaulting, integer, optional, org, string, text, when
from service.migrations.tables import add_columns, create, drop, drop_columns, table

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


TABLES = (
    table(
        "reach_tally",
        org(),
        day("month"),
        integer("network_id"),
        integer("site_id"),
        string("channel", 10),
        string("measure", 10),
        integer("count"),
        unique=[("organisation_id", "month", "network_id", "site_id", "channel", "measure")],
        indexes=["organisation_id"],
    ),
)
BRIDGED = (
    optional(integer("closed_by")),
    optional(string("callback_call_sid", 64)),
    defaulting(integer("attempts"), "0"),
    optional(when("last_attempt_at")),
)
LEAD_PHONE = optional(text("phone_encrypted"))


def upgrade() -> None:
    create(*TABLES)
    # The foreign key rebuilds callback_request on SQLite.
    with op.batch_alter_table("callback_request", schema=None) as batch_op:
        for column in BRIDGED:
            batch_op.add_column(column.column())
        batch_op.create_foreign_key(
            batch_op.f("fk_callback_request_closed_by_manager"),
            "manager",
            ["closed_by"],
            ["id"],
            ondelete="SET NULL",
        )
    add_columns("manager", LEAD_PHONE)


def downgrade() -> None:
    drop_columns("manager", LEAD_PHONE)
    with op.batch_alter_table("callback_request", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_callback_request_closed_by_manager"), type_="foreignkey"
        )
        for column in reversed(BRIDGED):
            batch_op.drop_column(column.name)
    drop(*TABLES)
