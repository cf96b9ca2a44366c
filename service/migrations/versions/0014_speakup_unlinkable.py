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

from service.migrations.columns import defaulting, flag, integer, optional, string, text, when
from service.migrations.tables import add_columns, alter_columns, drop_columns

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


VOICE = defaulting(flag("voice"), sa.false())
AUDIO = (optional(text("audio_encrypted")), optional(string("audio_type", 40)))
RECORDING = optional(string("recording_url", 500))
LOCKOUT = (optional(when("locked_until")), defaulting(integer("failed_attempts"), "0"))


def upgrade() -> None:
    op.execute("DELETE FROM speakup_throttle")
    op.execute("DELETE FROM speakup_receipt")
    add_columns("speakup_message", VOICE, *AUDIO)
    op.execute("UPDATE speakup_message SET voice = (recording_url IS NOT NULL)")
    with op.batch_alter_table("speakup_message", schema=None) as batch_op:
        batch_op.alter_column("voice", server_default=None)
        batch_op.drop_column("recording_url")
    drop_columns("speakup_case", *LOCKOUT)


def downgrade() -> None:
    add_columns("speakup_case", *LOCKOUT)
    with op.batch_alter_table("speakup_case", schema=None) as batch_op:
        batch_op.alter_column("failed_attempts", server_default=None)
    alter_columns("speakup_message", add=[RECORDING], drop=[VOICE, *AUDIO])
