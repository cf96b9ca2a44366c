"""Speak-up: anonymous cases and their messages, throttles and webhook receipts (no numbers)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 13:25:46.397649
"""

from __future__ import annotations

from service.migrations.columns import flag, integer, optional, org, ref, string, text, when
from service.migrations.tables import create, drop, table

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


TABLES = (
    table(
        "speakup_throttle",
        string("key", 80),
        when("window_start"),
        integer("count"),
        primary="key",
    ),
    table(
        "speakup_case",
        org(),
        string("locator", 8),
        string("code_hash", 200),
        string("channel", 10),
        string("status", 10),
        when("last_activity_at"),
        integer("failed_attempts"),
        optional(when("locked_until")),
        unique=[("organisation_id", "locator")],
        indexes=["organisation_id"],
    ),
    table(
        "speakup_message",
        ref("case_id", "speakup_case"),
        string("author", 10),
        text("body_encrypted"),
        flag("unread"),
        optional(string("recording_url", 500)),
        indexes=["case_id"],
    ),
    table(
        "speakup_receipt",
        string("sid_hash", 64),
        when("received_hour"),
        ref("case_id", "speakup_case", "SET NULL"),
        primary="sid_hash",
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
