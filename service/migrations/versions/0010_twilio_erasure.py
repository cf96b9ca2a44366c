"""Erasure reaches Twilio: one durable row per record to delete there, retried until done

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 19:50:00.000000
"""

from __future__ import annotations

from service.migrations.columns import integer, optional, org, string, text, when
from service.migrations.tables import create, drop, table

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


TABLES = (
    table(
        "twilio_deletion",
        org(),
        string("erasure", 32),
        optional(integer("contact_ref")),
        string("kind", 10),
        optional(string("sid", 64)),
        optional(text("number_encrypted")),
        integer("attempts"),
        when("next_attempt_at"),
        optional(when("done_at")),
        when("created_at"),
        unique=[("erasure", "sid")],
        indexes=[("ix_twilio_deletion_due", "done_at", "next_attempt_at"), "organisation_id"],
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
