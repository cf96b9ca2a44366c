"""Speak-up: anonymous cases and their messages, throttles and webhook receipts (no numbers)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 13:25:46.397649
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "speakup_throttle",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("window_start", service.db.UTCDateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_speakup_throttle")),
    )
    op.create_table(
        "speakup_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("locator", sa.String(length=8), nullable=False),
        sa.Column("code_hash", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("last_activity_at", service.db.UTCDateTime(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", service.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_speakup_case_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speakup_case")),
        sa.UniqueConstraint(
            "organisation_id", "locator", name=op.f("uq_speakup_case_organisation_id_locator")
        ),
    )
    with op.batch_alter_table("speakup_case", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_speakup_case_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "speakup_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=10), nullable=False),
        sa.Column("body_encrypted", sa.Text(), nullable=False),
        sa.Column("unread", sa.Boolean(), nullable=False),
        sa.Column("recording_url", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["speakup_case.id"],
            name=op.f("fk_speakup_message_case_id_speakup_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speakup_message")),
    )
    with op.batch_alter_table("speakup_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_speakup_message_case_id"), ["case_id"], unique=False)

    op.create_table(
        "speakup_receipt",
        sa.Column("sid_hash", sa.String(length=64), nullable=False),
        sa.Column("received_hour", service.db.UTCDateTime(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["speakup_case.id"],
            name=op.f("fk_speakup_receipt_case_id_speakup_case"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("sid_hash", name=op.f("pk_speakup_receipt")),
    )


def downgrade() -> None:
    op.drop_table("speakup_receipt")
    with op.batch_alter_table("speakup_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_speakup_message_case_id"))

    op.drop_table("speakup_message")
    with op.batch_alter_table("speakup_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_speakup_case_organisation_id"))

    op.drop_table("speakup_case")
    op.drop_table("speakup_throttle")
