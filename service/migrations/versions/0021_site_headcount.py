"""Each site's headcount, entered by an admin: the denominator of its reach

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 02:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("site") as batch_op:
        batch_op.add_column(sa.Column("headcount", sa.Integer(), nullable=True))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), never a batch rebuild: on SQLite a rebuild
    # drops the site table, and with foreign keys on that deletes every kiosk key, print pack
    # and site manager's role that points at a site (ON DELETE CASCADE).
    op.drop_column("site", "headcount")
