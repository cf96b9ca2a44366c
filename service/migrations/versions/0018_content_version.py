"""Organisation content version: the token each process caches published content under

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 22:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa

from service.migrations.columns import Col, defaulting
from service.migrations.tables import add_columns, drop_columns

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


CONTENT_VERSION = defaulting(Col("content_version", sa.BigInteger()), "0")


def upgrade() -> None:
    add_columns("organisation", CONTENT_VERSION)


def downgrade() -> None:
    drop_columns("organisation", CONTENT_VERSION)
