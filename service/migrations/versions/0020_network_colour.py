"""Network colour: the band across each network's poster, from a palette for existing networks

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 02:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from service.migrations.columns import defaulting, string
from service.migrations.tables import add_in_place, drop_in_place

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

# service.content.colours.PALETTE as it was when this migration was written: a migration must
# not change when the application's palette later does.
PALETTE = (
    "#1F4E9C",
    "#F2B632",
    "#00695C",
    "#7FC8F8",
    "#7B1FA2",
    "#F59BBF",
    "#B3261E",
    "#9CCC65",
    "#4E342E",
    "#FFD966",
)


COLOUR = defaulting(string("colour", 7), PALETTE[0])


def upgrade() -> None:
    # A plain ADD COLUMN, never a batch rebuild: on SQLite a rebuild drops the old table, and
    # with foreign keys on, dropping it deletes every keyword, event and membership (CASCADE).
    add_in_place("network", COLOUR)
    # Each organisation's networks take the palette in the order their posters print
    # (alphabetical), so neighbouring posters differ.
    network = sa.table(
        "network",
        sa.column("id", sa.Integer),
        sa.column("organisation_id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("colour", sa.String),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(network.c.id, network.c.organisation_id).order_by(
            network.c.organisation_id, network.c.name, network.c.id
        )
    ).all()
    seen: dict[int, int] = {}
    for row in rows:
        index = seen.get(row.organisation_id, 0)
        seen[row.organisation_id] = index + 1
        bind.execute(
            network.update()
            .where(network.c.id == row.id)
            .values(colour=PALETTE[index % len(PALETTE)])
        )


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), for the same reason: no rebuild.
    drop_in_place("network", COLOUR)
