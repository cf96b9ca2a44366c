"""Print: packs with codes that spot stale sheets; discreet names on posters by choice

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 10:44:53.950709
"""

from __future__ import annotations

import sqlalchemy as sa

from service.migrations.columns import day, defaulting, flag, integer, org, ref, string, when
from service.migrations.tables import add_columns, create, drop, drop_columns, table

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


TABLES = (
    table(
        "print_pack",
        string("code", 12),
        org(),
        ref("site_id", "site"),
        string("languages", 40),
        string("size", 4),
        flag("large_print"),
        day("month"),
        string("content_digest", 64),
        integer("pages"),
        when("created_at"),
        unique=[("code",)],
        indexes=["organisation_id"],
    ),
)
# Existing organisations keep real names on posters until they choose otherwise.
DISCREET_NAMES = defaulting(flag("print_discreet_names"), sa.false())


def upgrade() -> None:
    create(*TABLES)
    add_columns("organisation", DISCREET_NAMES)


def downgrade() -> None:
    drop_columns("organisation", DISCREET_NAMES)
    drop(*TABLES)
