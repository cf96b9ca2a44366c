"""Outbox: a moment after which a text is no use (a reminder after its event has started)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 20:00:00
"""

from __future__ import annotations

from service.migrations.columns import optional, when
from service.migrations.tables import add_columns, drop_columns

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


NOT_AFTER = optional(when("not_after"))


def upgrade() -> None:
    add_columns("outbound_message", NOT_AFTER)


def downgrade() -> None:
    drop_columns("outbound_message", NOT_AFTER)
