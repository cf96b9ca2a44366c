"""Broadcasts: the untranslated languages a lead held rather than send the English

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 02:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("broadcast") as batch_op:
        batch_op.add_column(sa.Column("held_languages", sa.JSON(), nullable=True))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), never a batch rebuild: on SQLite a rebuild
    # drops the broadcast table, and with foreign keys on that deletes every text it sent
    # (outbound_message.broadcast_id is ON DELETE CASCADE).
    op.drop_column("broadcast", "held_languages")
