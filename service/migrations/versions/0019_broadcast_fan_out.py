"""Broadcast fan-out in workers: its cursor, the rows written so far, and when it finished

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 23:15:00.000000
"""

from __future__ import annotations

from service.migrations.columns import defaulting, integer, optional, when
from service.migrations.tables import add_columns, drop_columns

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


FAN_OUT = (
    optional(integer("fan_out_after")),
    defaulting(integer("fanned_out"), "0"),
    optional(when("fanned_out_at")),
)


def upgrade() -> None:
    add_columns("broadcast", *FAN_OUT)


def downgrade() -> None:
    drop_columns("broadcast", *FAN_OUT)
