"""Phone line: a per-day keyed marker, so the news is read to a number once a day

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 20:45:00.000000
"""

from __future__ import annotations

from service.migrations.columns import day, org, string
from service.migrations.tables import create, drop, table

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


TABLES = (
    table(
        "voice_news_heard",
        org(),
        string("marker", 64),
        day("heard_on"),
        unique=[("marker",)],
        indexes=["organisation_id"],
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
