"""SMS: inbound log (metadata only), conversation state, RSVPs and callback requests.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 08:10:54.029516
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "callback_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", service.db.UTCDateTime(), nullable=False),
        sa.Column("closed_at", service.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_callback_request_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["network.id"],
            name=op.f("fk_callback_request_network_id_network"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_callback_request_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_request")),
    )
    with op.batch_alter_table("callback_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_callback_request_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_callback_request_network_id"), ["network_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_callback_request_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "conversation_state",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("list_kind", sa.String(length=20), nullable=True),
        sa.Column("list_items", sa.JSON(), nullable=True),
        sa.Column("list_offset", sa.Integer(), nullable=False),
        sa.Column("pending_kind", sa.String(length=20), nullable=True),
        sa.Column("pending_payload", sa.JSON(), nullable=True),
        sa.Column("updated_at", service.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_conversation_state_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_conversation_state")),
    )
    op.create_table(
        "inbound_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_sid", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("received_at", service.db.UTCDateTime(), nullable=False),
        sa.Column("command", sa.String(length=20), nullable=False),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.Column("replies_encrypted", sa.Text(), nullable=True),
        sa.Column("body_encrypted", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_inbound_message_contact_id_contact"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_inbound_message_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_message")),
        sa.UniqueConstraint("message_sid", name=op.f("uq_inbound_message_message_sid")),
    )
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inbound_message_contact_received", ["contact_id", "received_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inbound_message_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inbound_message_received_at"), ["received_at"], unique=False
        )

    op.create_table(
        "rsvp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("occurrence_start", service.db.UTCDateTime(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("created_at", service.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_rsvp_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_rsvp_event_id_event"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rsvp")),
        sa.UniqueConstraint(
            "contact_id",
            "event_id",
            "occurrence_start",
            name=op.f("uq_rsvp_contact_id_event_id_occurrence_start"),
        ),
    )
    with op.batch_alter_table("rsvp", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rsvp_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rsvp_event_id"), ["event_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rsvp", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rsvp_event_id"))
        batch_op.drop_index(batch_op.f("ix_rsvp_contact_id"))

    op.drop_table("rsvp")
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbound_message_received_at"))
        batch_op.drop_index(batch_op.f("ix_inbound_message_organisation_id"))
        batch_op.drop_index("ix_inbound_message_contact_received")

    op.drop_table("inbound_message")
    op.drop_table("conversation_state")
    with op.batch_alter_table("callback_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_callback_request_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_callback_request_network_id"))
        batch_op.drop_index(batch_op.f("ix_callback_request_contact_id"))

    op.drop_table("callback_request")
