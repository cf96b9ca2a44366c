"""Erasure reaches Twilio: one durable row per record to delete there, retried until done

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 19:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "twilio_deletion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("erasure", sa.String(length=32), nullable=False),
        sa.Column("contact_ref", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("sid", sa.String(length=64), nullable=True),
        sa.Column("number_encrypted", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", service.db.UTCDateTime(), nullable=False),
        sa.Column("done_at", service.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", service.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_twilio_deletion_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_twilio_deletion")),
        sa.UniqueConstraint("erasure", "sid", name=op.f("uq_twilio_deletion_erasure_sid")),
    )
    with op.batch_alter_table("twilio_deletion", schema=None) as batch_op:
        batch_op.create_index(
            "ix_twilio_deletion_due", ["done_at", "next_attempt_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_twilio_deletion_organisation_id"), ["organisation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("twilio_deletion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_twilio_deletion_organisation_id"))
        batch_op.drop_index("ix_twilio_deletion_due")

    op.drop_table("twilio_deletion")
