"""Surveys on kiosks and public pages: responses given without a proven number, and their limit

A kiosk or a public page may take an open survey's answers from someone who proves no number.
Nothing then stops one person answering twice, so such responses are marked (verified false,
and the results page shows how many there are) and each kiosk or web address may start only
so many in an hour, counted in survey_throttle under a keyed hash that dies with the survey.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05 06:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import service.db

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every response so far came by text from a number: verified.
    op.add_column(
        "survey_response",
        sa.Column("verified", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.create_table(
        "survey_throttle",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("window_start", service.db.UTCDateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["survey.id"],
            name=op.f("fk_survey_throttle_survey_id_survey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_survey_throttle")),
    )
    op.create_index(op.f("ix_survey_throttle_survey_id"), "survey_throttle", ["survey_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_survey_throttle_survey_id"), table_name="survey_throttle")
    op.drop_table("survey_throttle")
    op.drop_column("survey_response", "verified")
