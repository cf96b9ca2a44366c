"""Kiosk keys: each paired kiosk PC's public sealing key, for requests it queues offline

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 20:10:00.000000
"""

from __future__ import annotations

from service.migrations.columns import optional, org, ref, string, when
from service.migrations.tables import create, drop, table

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


TABLES = (
    table(
        "kiosk_key",
        org(),
        ref("site_id", "site"),
        string("public_key", 100),
        when("created_at"),
        optional(when("revoked_at")),
        indexes=["organisation_id", "site_id"],
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
