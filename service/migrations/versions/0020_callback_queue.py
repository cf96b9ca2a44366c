"""Call-backs for a person: site, language, good time, notes, outcome; e-mail alerts sent

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 02:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("callback_request") as batch_op:
        batch_op.add_column(sa.Column("site_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("language", sa.String(length=8), server_default="en", nullable=False)
        )
        batch_op.add_column(
            sa.Column("good_time", sa.String(length=10), server_default="any", nullable=False)
        )
        batch_op.add_column(sa.Column("notes_encrypted", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("outcome", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("alerted_at", service.db.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_callback_request_site_id"), ["site_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_callback_request_site_id_site"),
            "site",
            ["site_id"],
            ["id"],
            ondelete="SET NULL",
        )
    # Requests from before alerts existed are not news: nobody is e-mailed about them now.
    op.execute("UPDATE callback_request SET alerted_at = created_at")
    with op.batch_alter_table("pending_action") as batch_op:
        batch_op.add_column(sa.Column("good_time", sa.String(length=10), nullable=True))
    with op.batch_alter_table("speakup_case") as batch_op:
        # Cases raised before alerts existed count as told already.
        batch_op.add_column(
            sa.Column("alerted", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("speakup_case") as batch_op:
        batch_op.drop_column("alerted")
    with op.batch_alter_table("pending_action") as batch_op:
        batch_op.drop_column("good_time")
    with op.batch_alter_table("callback_request") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_callback_request_site_id_site"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_callback_request_site_id"))
        batch_op.drop_column("alerted_at")
        batch_op.drop_column("outcome")
        batch_op.drop_column("notes_encrypted")
        batch_op.drop_column("good_time")
        batch_op.drop_column("language")
        batch_op.drop_column("site_id")
