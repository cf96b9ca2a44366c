"""Events: dates a repeating event skips (bank holidays, Christmas), its EXDATEs

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 02:30:00.000000
"""

from __future__ import annotations

from service.migrations.columns import day, org, ref, when
from service.migrations.tables import create, drop, table

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


TABLES = (
    table(
        "event_skip",
        org(),
        ref("event_id", "event"),
        day("day"),
        when("created_at"),
        unique=[("event_id", "day")],
        indexes=["event_id", "organisation_id"],
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
