"""Kiosk keys: each paired kiosk PC's public sealing key, for requests it queues offline

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 20:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kiosk_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.String(length=100), nullable=False),
        sa.Column("created_at", service.db.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", service.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_kiosk_key_organisation_id", "kiosk_key", ["organisation_id"])
    op.create_index("ix_kiosk_key_site_id", "kiosk_key", ["site_id"])


def downgrade() -> None:
    op.drop_index("ix_kiosk_key_site_id", table_name="kiosk_key")
    op.drop_index("ix_kiosk_key_organisation_id", table_name="kiosk_key")
    op.drop_table("kiosk_key")
