"""Voice: calls from status callbacks, voicemail on callback requests, audio for events.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 09:25:46.758985
"""

from __future__ import annotations

from alembic import op

from service.migrations.columns import integer, optional, org, ref, string, when
from service.migrations.tables import add_columns, create, drop, drop_columns, table

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


TABLES = (
    table(
        "voice_call",
        string("call_sid", 64),
        org(),
        ref("contact_id", "contact", "SET NULL"),
        string("status", 20),
        optional(integer("duration_seconds")),
        optional(string("language", 8)),
        when("started_at"),
        when("updated_at"),
        unique=[("call_sid",)],
        indexes=["organisation_id"],
    ),
)
AUDIO = optional(string("audio_url", 500))
CALLBACK_VOICEMAIL = (
    optional(string("call_sid", 64)),
    optional(string("recording_sid", 64)),
    optional(string("recording_url", 500)),
    optional(integer("recording_seconds")),
)


def upgrade() -> None:
    create(*TABLES)
    add_columns("announcement", AUDIO)
    # The unique constraint rebuilds callback_request on SQLite.
    with op.batch_alter_table("callback_request", schema=None) as batch_op:
        for column in CALLBACK_VOICEMAIL:
            batch_op.add_column(column.column())
        batch_op.create_unique_constraint(
            batch_op.f("uq_callback_request_recording_sid"), ["recording_sid"]
        )
    add_columns("event", AUDIO)


def downgrade() -> None:
    drop_columns("event", AUDIO)
    with op.batch_alter_table("callback_request", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_callback_request_recording_sid"), type_="unique")
        for column in reversed(CALLBACK_VOICEMAIL):
            batch_op.drop_column(column.name)
    drop_columns("announcement", AUDIO)
    drop(*TABLES)
