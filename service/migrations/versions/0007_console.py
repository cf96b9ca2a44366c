"""Console: sign-in throttling and TOTP state for managers, and the audit log

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 11:09:45.864712
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", service.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["manager_id"],
            ["manager.id"],
            name=op.f("fk_audit_entry_manager_id_manager"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_audit_entry_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_entry_organisation_id"), ["organisation_id"], unique=False
        )

    with op.batch_alter_table("manager", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_confirmed_at", service.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("failed_count", sa.Integer(), nullable=False))
        batch_op.add_column(
            sa.Column("failed_window_start", service.db.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("disabled_at", service.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("manager", schema=None) as batch_op:
        batch_op.drop_column("disabled_at")
        batch_op.drop_column("failed_window_start")
        batch_op.drop_column("failed_count")
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_confirmed_at")

    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_created_at"))

    op.drop_table("audit_entry")
