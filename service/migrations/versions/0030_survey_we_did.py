"""Surveys: "you said, we did", what changed because people answered

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-05 06:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN, never a batch rebuild (which on SQLite drops and recreates the table).
    op.add_column("survey", sa.Column("we_did", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    op.drop_column("survey", "we_did")
