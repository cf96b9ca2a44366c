"""Console sign-in: code back-off per account, password throttle per typed email, sign-out
ends every session

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 19:45:00.000000
"""

from __future__ import annotations

from service.migrations.columns import defaulting, integer, optional, string, when
from service.migrations.tables import alter_columns, create, drop, table

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


TABLES = (
    table(
        "sign_in_throttle",
        string("key", 64),
        when("window_start"),
        integer("count"),
        primary="key",
        indexes=["window_start"],
    ),
)
# Managers' lockout counters before this change, and what replaces them.
LOCKOUT = (defaulting(integer("failed_count"), "0"), optional(when("failed_window_start")))
HARDENING = (
    defaulting(integer("totp_failures"), "0"),
    optional(when("totp_blocked_until")),
    defaulting(integer("session_generation"), "0"),
)


def upgrade() -> None:
    create(*TABLES)
    alter_columns("manager", add=HARDENING, drop=LOCKOUT)


def downgrade() -> None:
    alter_columns("manager", add=LOCKOUT, drop=HARDENING)
    drop(*TABLES)
