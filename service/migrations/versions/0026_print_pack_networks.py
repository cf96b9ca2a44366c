"""Print packs: the networks of a posters-only pack (a lead prints their own networks')

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 02:45:00.000000
"""

from __future__ import annotations

from service.migrations.columns import json, optional
from service.migrations.tables import add_in_place, drop_in_place

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


NETWORKS = optional(json("network_ids"))


def upgrade() -> None:
    # A plain ADD COLUMN, never a batch rebuild (which on SQLite drops and recreates the table).
    add_in_place("print_pack", NETWORKS)


def downgrade() -> None:
    drop_in_place("print_pack", NETWORKS)
