"""Phone line: codes texted during a call, so caller ID alone never proves who is calling

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 19:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "caller_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", service.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", service.db.UTCDateTime(), nullable=False),
        sa.Column("verified_at", service.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_caller_check_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_caller_check_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_caller_check")),
    )
    with op.batch_alter_table("caller_check", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_caller_check_call_sid"), ["call_sid"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_caller_check_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_caller_check_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_caller_check_organisation_id"), ["organisation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("caller_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_caller_check_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_caller_check_created_at"))
        batch_op.drop_index(batch_op.f("ix_caller_check_contact_id"))
        batch_op.drop_index(batch_op.f("ix_caller_check_call_sid"))

    op.drop_table("caller_check")
