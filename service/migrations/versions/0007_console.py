"""Console: sign-in throttling and TOTP state for managers, and the audit log

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 11:09:45.864712
"""

from __future__ import annotations

from service.migrations.columns import integer, json, optional, org, ref, string, when
from service.migrations.tables import add_columns, create, drop, drop_columns, table

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


TABLES = (
    table(
        "audit_entry",
        org(),
        ref("manager_id", "manager", "SET NULL"),
        string("action", 40),
        json("detail"),
        when("created_at"),
        indexes=["created_at", "organisation_id"],
    ),
)
SIGN_IN = (
    optional(when("totp_confirmed_at")),
    optional(integer("totp_last_step")),
    integer("failed_count"),
    optional(when("failed_window_start")),
    optional(when("disabled_at")),
)


def upgrade() -> None:
    create(*TABLES)
    add_columns("manager", *SIGN_IN)


def downgrade() -> None:
    drop_columns("manager", *SIGN_IN)
    drop(*TABLES)
