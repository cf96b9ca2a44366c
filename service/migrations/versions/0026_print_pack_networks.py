"""Print packs: the networks of a posters-only pack (a lead prints their own networks')

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 02:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN, never a batch rebuild (which on SQLite drops and recreates the table).
    op.add_column("print_pack", sa.Column("network_ids", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("print_pack", "network_ids")
