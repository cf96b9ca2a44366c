"""Toll fraud: send requests counted, codes held without a contact, kiosk credentials

Texts to a typed number no longer need a contact row (the outbox and the pending action hold
the number encrypted until the code matches); each code or "text me this" request is counted in
send_request; a site's kiosk carries a credential the console issued.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 19:27:45.271748
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "send_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("requester_index", sa.String(length=64), nullable=True),
        sa.Column("number_index", sa.String(length=64), nullable=False),
        sa.Column("created_at", service.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_send_request_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_send_request")),
    )
    with op.batch_alter_table("send_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_send_request_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_send_request_number_index"), ["number_index"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_send_request_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_send_request_requester_index"), ["requester_index"], unique=False
        )

    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("to_encrypted", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("to_index", sa.String(length=64), nullable=True))
        batch_op.alter_column("contact_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(
            batch_op.f("ix_outbound_message_to_index"), ["to_index"], unique=False
        )

    with op.batch_alter_table("pending_action", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone_encrypted", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("phone_index", sa.String(length=64), nullable=True))
        batch_op.alter_column("contact_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(
            batch_op.f("ix_pending_action_phone_index"), ["phone_index"], unique=False
        )

    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kiosk_key_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("kiosk_key_issued_at", service.db.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    # Rows with no contact cannot go back under NOT NULL: unverified codes and texts to typed
    # numbers, all of them minutes or days old, are dropped.
    op.execute("DELETE FROM pending_action WHERE contact_id IS NULL")
    op.execute("DELETE FROM outbound_message WHERE contact_id IS NULL")
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.drop_column("kiosk_key_issued_at")
        batch_op.drop_column("kiosk_key_hash")

    with op.batch_alter_table("pending_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_action_phone_index"))
        batch_op.alter_column("contact_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("phone_index")
        batch_op.drop_column("phone_encrypted")

    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbound_message_to_index"))
        batch_op.alter_column("contact_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("to_index")
        batch_op.drop_column("to_encrypted")

    with op.batch_alter_table("send_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_send_request_requester_index"))
        batch_op.drop_index(batch_op.f("ix_send_request_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_send_request_number_index"))
        batch_op.drop_index(batch_op.f("ix_send_request_created_at"))

    op.drop_table("send_request")
