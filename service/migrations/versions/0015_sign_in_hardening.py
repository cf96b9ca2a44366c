"""Console sign-in: code back-off per account, password throttle per typed email, sign-out
ends every session

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 19:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_throttle",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("window_start", service.db.UTCDateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sign_in_throttle")),
    )
    with op.batch_alter_table("sign_in_throttle", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sign_in_throttle_window_start"), ["window_start"], unique=False
        )

    with op.batch_alter_table("manager", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("totp_failures", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("totp_blocked_until", service.db.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.drop_column("failed_window_start")
        batch_op.drop_column("failed_count")


def downgrade() -> None:
    with op.batch_alter_table("manager", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("failed_window_start", service.db.UTCDateTime(), nullable=True)
        )
        batch_op.drop_column("session_generation")
        batch_op.drop_column("totp_blocked_until")
        batch_op.drop_column("totp_failures")

    with op.batch_alter_table("sign_in_throttle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_throttle_window_start"))
    op.drop_table("sign_in_throttle")
