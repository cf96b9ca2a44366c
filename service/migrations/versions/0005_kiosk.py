"""Kiosk: actions confirmed by a texted code, and idempotency keys for replayed requests

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 10:26:35.886962
"""

from __future__ import annotations

from service.migrations.columns import flag, integer, optional, org, ref, string, when
from service.migrations.tables import create, drop, table

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


TABLES = (
    table(
        "pending_action",
        string("token", 43),
        org(),
        ref("contact_id", "contact"),
        string("action", 12),
        optional(ref("network_id", "network")),
        optional(ref("event_id", "event")),
        optional(when("occurrence_start")),
        optional(string("consent_version", 20)),
        ref("site_id", "site", "SET NULL"),
        string("channel", 10),
        string("language", 8),
        string("code_hash", 64),
        optional(string("requester_index", 64)),
        flag("by_reply"),
        integer("attempts"),
        when("created_at"),
        when("expires_at"),
        optional(when("completed_at")),
        unique=[("token",)],
        indexes=["contact_id", "created_at", "organisation_id", "requester_index"],
    ),
    table(
        "request_key",
        org(),
        string("key", 64),
        optional(ref("action_id", "pending_action")),
        string("outcome", 40),
        when("created_at"),
        unique=[("organisation_id", "key")],
        indexes=["created_at"],
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
