"""Call-backs for a person: site, language, good time, notes, outcome; e-mail alerts sent

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 02:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs, never a batch rebuild: on SQLite a rebuild drops the old table, and
    # with foreign keys on, dropping pending_action or speakup_case would delete the rows
    # that reference them (request keys, speak-up messages: ON DELETE CASCADE).
    # The one exception: SQLite adds a foreign key only by rebuilding the table. Nothing
    # references callback_request, so rebuilding it deletes nothing elsewhere.
    with op.batch_alter_table("callback_request") as batch_op:
        batch_op.add_column(sa.Column("site_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_callback_request_site_id"), ["site_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_callback_request_site_id_site"),
            "site",
            ["site_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.add_column(
        "callback_request",
        sa.Column("language", sa.String(length=8), server_default="en", nullable=False),
    )
    op.add_column(
        "callback_request",
        sa.Column("good_time", sa.String(length=10), server_default="any", nullable=False),
    )
    op.add_column("callback_request", sa.Column("notes_encrypted", sa.Text(), nullable=True))
    op.add_column("callback_request", sa.Column("outcome", sa.String(length=16), nullable=True))
    op.add_column(
        "callback_request", sa.Column("alerted_at", service.db.UTCDateTime(), nullable=True)
    )
    # Requests from before alerts existed are not news: nobody is e-mailed about them now.
    op.execute("UPDATE callback_request SET alerted_at = created_at")
    op.add_column("pending_action", sa.Column("good_time", sa.String(length=10), nullable=True))
    # Cases raised before alerts existed count as told already.
    op.add_column(
        "speakup_case",
        sa.Column("alerted", sa.Boolean(), server_default=sa.true(), nullable=False),
    )


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), for the same reason: no rebuild.
    op.drop_column("speakup_case", "alerted")
    op.drop_column("pending_action", "good_time")
    for column in ("alerted_at", "outcome", "notes_encrypted", "good_time", "language"):
        op.drop_column("callback_request", column)
    with op.batch_alter_table("callback_request") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_callback_request_site_id_site"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_callback_request_site_id"))
        batch_op.drop_column("site_id")
