"""Equality monitoring: a survey question may be one of the fixed equality questions

survey_question gains monitoring: NULL for a question the survey's author wrote, "consent" for
the question that asks whether to answer the equality questions, or the protected
characteristic a question asks about (service.surveys.monitoring). Added in place: survey_answer
references survey_question, and a rebuild on SQLite would delete the answers.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-05 09:00:00.000000
"""

from __future__ import annotations

from service.migrations.columns import optional, string
from service.migrations.tables import add_in_place, drop_in_place

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


MONITORING = optional(string("monitoring", 20))


def upgrade() -> None:
    add_in_place("survey_question", MONITORING)


def downgrade() -> None:
    drop_in_place("survey_question", MONITORING)
