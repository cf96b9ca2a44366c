"""Call-backs for a person: site, language, good time, notes, outcome; e-mail alerts sent

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 02:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from service.migrations.columns import defaulting, flag, integer, optional, string, text, when
from service.migrations.tables import add_in_place, drop_in_place

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


CALL_BACK = (
    defaulting(string("language", 8), "en"),
    defaulting(string("good_time", 10), "any"),
    optional(text("notes_encrypted")),
    optional(string("outcome", 16)),
    optional(when("alerted_at")),
)
GOOD_TIME = optional(string("good_time", 10))
# Cases raised before alerts existed count as told already.
ALERTED = defaulting(flag("alerted"), sa.true())


def upgrade() -> None:
    # Plain ADD COLUMNs, never a batch rebuild: on SQLite a rebuild drops the old table, and
    # with foreign keys on, dropping pending_action or speakup_case would delete the rows
    # that reference them (request keys, speak-up messages: ON DELETE CASCADE).
    # The one exception: SQLite adds a foreign key only by rebuilding the table. Nothing
    # references callback_request, so rebuilding it deletes nothing elsewhere.
    with op.batch_alter_table("callback_request") as batch_op:
        batch_op.add_column(optional(integer("site_id")).column())
        batch_op.create_index(batch_op.f("ix_callback_request_site_id"), ["site_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_callback_request_site_id_site"),
            "site",
            ["site_id"],
            ["id"],
            ondelete="SET NULL",
        )
    add_in_place("callback_request", *CALL_BACK)
    # Requests from before alerts existed are not news: nobody is e-mailed about them now.
    op.execute("UPDATE callback_request SET alerted_at = created_at")
    add_in_place("pending_action", GOOD_TIME)
    add_in_place("speakup_case", ALERTED)


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), for the same reason: no rebuild.
    drop_in_place("speakup_case", ALERTED)
    drop_in_place("pending_action", GOOD_TIME)
    drop_in_place("callback_request", *CALL_BACK)
    with op.batch_alter_table("callback_request") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_callback_request_site_id_site"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_callback_request_site_id"))
        batch_op.drop_column("site_id")
