"""Console work: reach tallies, and bridged call-backs (a lead's phone, attempts, who closed)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 12:47:08.090408
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reach_tally",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("measure", sa.String(length=10), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_reach_tally_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reach_tally")),
        sa.UniqueConstraint(
            "organisation_id",
            "month",
            "network_id",
            "site_id",
            "channel",
            "measure",
            name=op.f("uq_reach_tally_organisation_id_month_network_id_site_id_channel_measure"),
        ),
    )
    with op.batch_alter_table("reach_tally", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reach_tally_organisation_id"), ["organisation_id"], unique=False
        )

    with op.batch_alter_table("callback_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("callback_call_sid", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("last_attempt_at", service.db.UTCDateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_callback_request_closed_by_manager"),
            "manager",
            ["closed_by"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("manager", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone_encrypted", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("manager", schema=None) as batch_op:
        batch_op.drop_column("phone_encrypted")

    with op.batch_alter_table("callback_request", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_callback_request_closed_by_manager"), type_="foreignkey"
        )
        batch_op.drop_column("last_attempt_at")
        batch_op.drop_column("attempts")
        batch_op.drop_column("callback_call_sid")
        batch_op.drop_column("closed_by")

    with op.batch_alter_table("reach_tally", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reach_tally_organisation_id"))

    op.drop_table("reach_tally")
