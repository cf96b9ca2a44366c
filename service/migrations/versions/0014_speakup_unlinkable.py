"""Speak-up unlinkable: audio kept in the case, no recording URL, no per-case lock

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 19:40:00.000000

Throttle rows and receipts made before this were keyed under DATA_KEY, so anyone with the key
could recompute them for a number: they are deleted (new ones use an hourly random salt).
Voice messages' recording URLs are dropped with the column; a deployment holding speak-up voice
messages from before should play and note them first (their audio stays at Twilio).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM speakup_throttle")
    op.execute("DELETE FROM speakup_receipt")
    with op.batch_alter_table("speakup_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("voice", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("audio_encrypted", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("audio_type", sa.String(length=40), nullable=True))
    op.execute("UPDATE speakup_message SET voice = (recording_url IS NOT NULL)")
    with op.batch_alter_table("speakup_message", schema=None) as batch_op:
        batch_op.alter_column("voice", server_default=None)
        batch_op.drop_column("recording_url")
    with op.batch_alter_table("speakup_case", schema=None) as batch_op:
        batch_op.drop_column("failed_attempts")
        batch_op.drop_column("locked_until")


def downgrade() -> None:
    with op.batch_alter_table("speakup_case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locked_until", service.db.UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("failed_attempts", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("speakup_case", schema=None) as batch_op:
        batch_op.alter_column("failed_attempts", server_default=None)
    with op.batch_alter_table("speakup_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recording_url", sa.String(length=500), nullable=True))
        batch_op.drop_column("audio_type")
        batch_op.drop_column("audio_encrypted")
        batch_op.drop_column("voice")
