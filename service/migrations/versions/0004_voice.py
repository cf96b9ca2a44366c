"""Voice: calls from status callbacks, voicemail on callback requests, audio for events.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 09:25:46.758985
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "voice_call",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("started_at", service.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", service.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_voice_call_contact_id_contact"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_voice_call_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_call")),
        sa.UniqueConstraint("call_sid", name=op.f("uq_voice_call_call_sid")),
    )
    with op.batch_alter_table("voice_call", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_voice_call_organisation_id"), ["organisation_id"], unique=False
        )

    with op.batch_alter_table("announcement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audio_url", sa.String(length=500), nullable=True))

    with op.batch_alter_table("callback_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("call_sid", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("recording_sid", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("recording_url", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("recording_seconds", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_callback_request_recording_sid"), ["recording_sid"]
        )

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audio_url", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("audio_url")

    with op.batch_alter_table("callback_request", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_callback_request_recording_sid"), type_="unique")
        batch_op.drop_column("recording_seconds")
        batch_op.drop_column("recording_url")
        batch_op.drop_column("recording_sid")
        batch_op.drop_column("call_sid")

    with op.batch_alter_table("announcement", schema=None) as batch_op:
        batch_op.drop_column("audio_url")

    with op.batch_alter_table("voice_call", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voice_call_organisation_id"))

    op.drop_table("voice_call")
