"""Events: dates a repeating event skips (bank holidays, Christmas), its EXDATEs

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 02:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_skip",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_event_skip_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_event_skip_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_skip")),
        sa.UniqueConstraint("event_id", "day", name=op.f("uq_event_skip_event_id_day")),
    )
    with op.batch_alter_table("event_skip", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_skip_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_event_skip_organisation_id"), ["organisation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("event_skip", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_skip_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_event_skip_event_id"))

    op.drop_table("event_skip")
