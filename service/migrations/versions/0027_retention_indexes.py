"""Indexes the erasure and retention paths were scanning whole tables without

Found by tests/perf/test_index_use.py (EXPLAIN with sequential scans priced out): FORGET ME
looked up a caller's calls by contact, and the retention purge counted and deleted calls,
closed call-backs and quiet speak-up cases by their clocks, each by reading every row.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 03:20:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_voice_call_contact_id", "voice_call", "contact_id"),
    ("ix_voice_call_started_at", "voice_call", "started_at"),
    ("ix_callback_request_closed_at", "callback_request", "closed_at"),
    ("ix_speakup_case_last_activity_at", "speakup_case", "last_activity_at"),
)


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [column])


def downgrade() -> None:
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
