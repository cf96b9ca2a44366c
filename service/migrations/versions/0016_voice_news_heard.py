"""Phone line: a per-day keyed marker, so the news is read to a number once a day

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 20:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "voice_news_heard",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("marker", sa.String(length=64), nullable=False),
        sa.Column("heard_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_voice_news_heard_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_news_heard")),
        sa.UniqueConstraint("marker", name=op.f("uq_voice_news_heard_marker")),
    )
    with op.batch_alter_table("voice_news_heard", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_voice_news_heard_organisation_id"), ["organisation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("voice_news_heard", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voice_news_heard_organisation_id"))

    op.drop_table("voice_news_heard")
