"""Outbox and broadcasts; contacts learn their site and whether their number can take texts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 08:22:32.896940
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from service.migrations.columns import (
    Col,
    flag,
    integer,
    json,
    optional,
    org,
    ref,
    string,
    text,
    when,
)
from service.migrations.tables import create, drop, table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


TABLES = (
    table(
        "broadcast",
        org(),
        ref("created_by", "manager", "SET NULL"),
        text("body"),
        string("audience", 12),
        ref("site_id", "site", "SET NULL"),
        optional(json("network_ids")),
        flag("urgent"),
        optional(when("scheduled_for")),
        string("status", 12),
        integer("recipients"),
        when("created_at"),
        optional(when("sent_at")),
        optional(when("cancelled_at")),
        indexes=["organisation_id"],
    ),
    table(
        "outbound_message",
        org(),
        ref("contact_id", "contact"),
        optional(ref("broadcast_id", "broadcast")),
        optional(json("network_ids")),
        string("kind", 12),
        string("dedupe_key", 120),
        text("body_encrypted"),
        string("body_hash", 64),
        string("language", 8),
        flag("urgent"),
        string("status", 12),
        optional(when("not_before")),
        optional(when("next_attempt_at")),
        integer("attempts"),
        optional(when("queued_at")),
        optional(string("twilio_sid", 64)),
        optional(integer("error_code")),
        optional(string("skip_reason", 40)),
        integer("segments"),
        Col("cost_estimate_pence", sa.Double()),
        when("created_at"),
        optional(when("sending_at")),
        optional(when("sent_at")),
        optional(when("finished_at")),
        unique=[("dedupe_key",), ("twilio_sid",)],
        indexes=[
            "broadcast_id",
            ("ix_outbound_message_contact_created", "contact_id", "created_at"),
            "organisation_id",
            ("ix_outbound_message_status_next", "status", "next_attempt_at"),
        ],
    ),
)


def upgrade() -> None:
    create(*TABLES)
    # Adding a foreign key rebuilds the table on SQLite.
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(optional(when("unusable_at")).column())
        batch_op.add_column(optional(integer("site_id")).column())
        batch_op.create_foreign_key(
            batch_op.f("fk_contact_site_id_site"), "site", ["site_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_contact_site_id_site"), type_="foreignkey")
        batch_op.drop_column("site_id")
        batch_op.drop_column("unusable_at")
    drop(*TABLES)
