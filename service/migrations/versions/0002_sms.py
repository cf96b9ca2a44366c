"""SMS: inbound log (metadata only), conversation state, RSVPs and callback requests.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 08:10:54.029516
"""

from __future__ import annotations

from service.migrations.columns import integer, json, optional, org, ref, string, text, when
from service.migrations.tables import create, drop, table

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


TABLES = (
    table(
        "callback_request",
        org(),
        ref("contact_id", "contact"),
        ref("network_id", "network", "SET NULL"),
        string("channel", 10),
        string("status", 12),
        when("created_at"),
        optional(when("closed_at")),
        indexes=["contact_id", "network_id", "organisation_id"],
    ),
    table(
        "conversation_state",
        ref("contact_id", "contact"),
        optional(string("list_kind", 20)),
        optional(json("list_items")),
        integer("list_offset"),
        optional(string("pending_kind", 20)),
        optional(json("pending_payload")),
        when("updated_at"),
        primary="contact_id",
    ),
    table(
        "inbound_message",
        string("message_sid", 64),
        org(),
        ref("contact_id", "contact", "SET NULL"),
        when("received_at"),
        string("command", 20),
        integer("segments"),
        optional(text("replies_encrypted")),
        optional(text("body_encrypted")),
        unique=[("message_sid",)],
        indexes=[
            ("ix_inbound_message_contact_received", "contact_id", "received_at"),
            "organisation_id",
            "received_at",
        ],
    ),
    table(
        "rsvp",
        ref("contact_id", "contact"),
        ref("event_id", "event"),
        when("occurrence_start"),
        string("channel", 10),
        when("created_at"),
        unique=[("contact_id", "event_id", "occurrence_start")],
        indexes=["contact_id", "event_id"],
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
