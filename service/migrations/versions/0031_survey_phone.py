"""Surveys by phone and their one reminder: recorded free-text answers, and when it was sent

A free-text question answered on the phone is recorded: the audio is copied from Twilio into
survey_recording (encrypted, with nothing about the call) and the answer points at it. The
survey keeps when its one reminder went, so a second cannot be sent.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-05 06:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTERs on survey: other tables reference it, and a rebuild would delete their rows.
    op.add_column("survey", sa.Column("reminded_at", service.db.UTCDateTime(), nullable=True))
    op.create_table(
        "survey_recording",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("audio_encrypted", sa.Text(), nullable=True),
        sa.Column("audio_type", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["survey.id"],
            name=op.f("fk_survey_recording_survey_id_survey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_recording")),
    )
    op.create_index(op.f("ix_survey_recording_survey_id"), "survey_recording", ["survey_id"])
    # No table references survey_answer, so SQLite may rebuild it to add the foreign key.
    with op.batch_alter_table("survey_answer") as batch_op:
        batch_op.add_column(sa.Column("recording_id", sa.String(length=32), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_survey_answer_recording_id_survey_recording"),
            "survey_recording",
            ["recording_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(op.f("ix_survey_answer_recording_id"), ["recording_id"])


def downgrade() -> None:
    with op.batch_alter_table("survey_answer") as batch_op:
        batch_op.drop_index(op.f("ix_survey_answer_recording_id"))
        batch_op.drop_constraint(
            op.f("fk_survey_answer_recording_id_survey_recording"), type_="foreignkey"
        )
        batch_op.drop_column("recording_id")
    op.drop_index(op.f("ix_survey_recording_survey_id"), table_name="survey_recording")
    op.drop_table("survey_recording")
    op.drop_column("survey", "reminded_at")
