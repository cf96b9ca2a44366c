"""Broadcast fan-out in workers: its cursor, the rows written so far, and when it finished

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 23:15:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("broadcast") as batch_op:
        batch_op.add_column(sa.Column("fan_out_after", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("fanned_out", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("fanned_out_at", service.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("broadcast") as batch_op:
        batch_op.drop_column("fanned_out_at")
        batch_op.drop_column("fanned_out")
        batch_op.drop_column("fan_out_after")
