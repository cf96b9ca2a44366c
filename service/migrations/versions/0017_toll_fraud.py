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

from service.migrations.columns import number, optional, org, string, when
from service.migrations.tables import add_columns, create, drop, drop_columns, table

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


TABLES = (
    table(
        "send_request",
        org(),
        string("kind", 8),
        optional(string("requester_index", 64)),
        string("number_index", 64),
        when("created_at"),
        indexes=["created_at", "number_index", "organisation_id", "requester_index"],
    ),
)
KIOSK_CREDENTIAL = (optional(string("kiosk_key_hash", 64)), optional(when("kiosk_key_issued_at")))


def _hold_number(table_name: str, prefix: str) -> None:
    """The row holds its own encrypted number (indexed), so its contact becomes optional."""
    with op.batch_alter_table(table_name, schema=None) as batch_op:
        for column in number(prefix):
            batch_op.add_column(optional(column).column())
        batch_op.alter_column("contact_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(
            batch_op.f(f"ix_{table_name}_{prefix}_index"), [f"{prefix}_index"], unique=False
        )


def _require_contact(table_name: str, prefix: str) -> None:
    """_hold_number undone: the contact is required again and the number columns go."""
    with op.batch_alter_table(table_name, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f(f"ix_{table_name}_{prefix}_index"))
        batch_op.alter_column("contact_id", existing_type=sa.INTEGER(), nullable=False)
        for column in reversed(number(prefix)):
            batch_op.drop_column(column.name)


def upgrade() -> None:
    create(*TABLES)
    _hold_number("outbound_message", "to")
    _hold_number("pending_action", "phone")
    add_columns("site", *KIOSK_CREDENTIAL)


def downgrade() -> None:
    # Rows with no contact cannot go back under NOT NULL: unverified codes and texts to typed
    # numbers, all of them minutes or days old, are dropped.
    op.execute("DELETE FROM pending_action WHERE contact_id IS NULL")
    op.execute("DELETE FROM outbound_message WHERE contact_id IS NULL")
    drop_columns("site", *KIOSK_CREDENTIAL)
    _require_contact("pending_action", "phone")
    _require_contact("outbound_message", "to")
    drop(*TABLES)
