"""rotate-data-key resumes: how far an unfinished run got in each column

rotation_checkpoint holds, per encrypted column, the last row a run of rotate-data-key
committed, for which target key (a keyed check value, never the key), and the counts so far.
A run killed part-way is resumed from there; a run that finishes empties the table.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-05 09:30:00.000000
"""

from __future__ import annotations

from service.migrations.columns import flag, string, text, when
from service.migrations.tables import create, drop, table

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


TABLES = (
    table(
        "rotation_checkpoint",
        string("label", 120),
        string("key_check", 64),
        string("last_id", 64),
        flag("finished"),
        text("counts"),
        when("updated_at"),
        primary="label",
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
