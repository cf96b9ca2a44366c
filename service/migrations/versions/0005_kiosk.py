"""Kiosk: actions confirmed by a texted code, and idempotency keys for replayed requests

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 10:26:35.886962
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=43), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=12), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("occurrence_start", service.db.UTCDateTime(), nullable=True),
        sa.Column("consent_version", sa.String(length=20), nullable=True),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("requester_index", sa.String(length=64), nullable=True),
        sa.Column("by_reply", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", service.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", service.db.UTCDateTime(), nullable=False),
        sa.Column("completed_at", service.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_pending_action_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_pending_action_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["network.id"],
            name=op.f("fk_pending_action_network_id_network"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_pending_action_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["site.id"],
            name=op.f("fk_pending_action_site_id_site"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_action")),
        sa.UniqueConstraint("token", name=op.f("uq_pending_action_token")),
    )
    with op.batch_alter_table("pending_action", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pending_action_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pending_action_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pending_action_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pending_action_requester_index"), ["requester_index"], unique=False
        )

    op.create_table(
        "request_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("created_at", service.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["pending_action.id"],
            name=op.f("fk_request_key_action_id_pending_action"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_request_key_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_key")),
        sa.UniqueConstraint(
            "organisation_id", "key", name=op.f("uq_request_key_organisation_id_key")
        ),
    )
    with op.batch_alter_table("request_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_request_key_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("request_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_key_created_at"))

    op.drop_table("request_key")
    with op.batch_alter_table("pending_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_action_requester_index"))
        batch_op.drop_index(batch_op.f("ix_pending_action_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_pending_action_created_at"))
        batch_op.drop_index(batch_op.f("ix_pending_action_contact_id"))

    op.drop_table("pending_action")
