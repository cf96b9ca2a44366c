"""Surveys: the answers as they stood at the last batch, shown while the survey is open

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05 06:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN, never a batch rebuild (which on SQLite drops and recreates the table).
    op.add_column("survey", sa.Column("answers_batch_encrypted", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("survey", "answers_batch_encrypted")
