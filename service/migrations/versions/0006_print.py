"""Print: packs with codes that spot stale sheets; discreet names on posters by choice

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 10:44:53.950709
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "print_pack",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("languages", sa.String(length=40), nullable=False),
        sa.Column("size", sa.String(length=4), nullable=False),
        sa.Column("large_print", sa.Boolean(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("content_digest", sa.String(length=64), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("created_at", service.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_print_pack_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f("fk_print_pack_site_id_site"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_print_pack")),
        sa.UniqueConstraint("code", name=op.f("uq_print_pack_code")),
    )
    with op.batch_alter_table("print_pack", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_print_pack_organisation_id"), ["organisation_id"], unique=False
        )

    with op.batch_alter_table("organisation", schema=None) as batch_op:
        # Existing organisations keep real names on posters until they choose otherwise.
        batch_op.add_column(
            sa.Column(
                "print_discreet_names", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("print_discreet_names")

    with op.batch_alter_table("print_pack", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_print_pack_organisation_id"))

    op.drop_table("print_pack")
