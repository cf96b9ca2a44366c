"""Broadcasts: the untranslated languages a lead held rather than send the English

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 02:30:00.000000
"""

from __future__ import annotations

from service.migrations.columns import json, optional
from service.migrations.tables import add_columns, drop_in_place

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


HELD_LANGUAGES = optional(json("held_languages"))


def upgrade() -> None:
    add_columns("broadcast", HELD_LANGUAGES)


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), never a batch rebuild: on SQLite a rebuild
    # drops the broadcast table, and with foreign keys on that deletes every text it sent
    # (outbound_message.broadcast_id is ON DELETE CASCADE).
    drop_in_place("broadcast", HELD_LANGUAGES)
