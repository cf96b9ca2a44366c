"""An index of the people a broadcast can reach, by organisation and id

A broadcast's fan-out walks an organisation's reachable people (not opted out, number usable)
in id order, a batch at a time, and its preview and count group them by language, discretion
and site. Both read this index alone (an index-only scan): at a million contacts the batch's
keyset read took 0.6 s without it, and the preview read the whole table.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-05 08:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

REACHABLE = "opted_out_at IS NULL AND unusable_at IS NULL"


def upgrade() -> None:
    op.create_index(
        "ix_contact_reachable",
        "contact",
        ["organisation_id", "id"],
        postgresql_include=["language", "discreet", "site_id"],
        postgresql_where=sa.text(REACHABLE),
        sqlite_where=sa.text(REACHABLE),
    )


def downgrade() -> None:
    op.drop_index("ix_contact_reachable", table_name="contact")
