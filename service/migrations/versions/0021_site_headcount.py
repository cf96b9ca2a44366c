"""Each site's headcount, entered by an admin: the denominator of its reach

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 02:30:00.000000
"""

from __future__ import annotations

from service.migrations.columns import integer, optional
from service.migrations.tables import add_columns, drop_in_place

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


HEADCOUNT = optional(integer("headcount"))


def upgrade() -> None:
    add_columns("site", HEADCOUNT)


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), never a batch rebuild: on SQLite a rebuild
    # drops the site table, and with foreign keys on that deletes every kiosk key, print pack
    # and site manager's role that points at a site (ON DELETE CASCADE).
    drop_in_place("site", HEADCOUNT)
