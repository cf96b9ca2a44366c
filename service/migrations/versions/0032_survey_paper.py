"""Surveys on paper: where sheets are returned, and returned sheets typed in twice

A survey gains return_to (where its printed sheet goes back, translated like its title). Each
returned sheet is typed in twice; survey_paper_entry holds an entry (encrypted) until a second
agrees and the response is written, and survey_paper_sheet the numbers of sheets counted, so
that no sheet is counted twice.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-05 06:40:00.000000
"""

from __future__ import annotations

from service.migrations.columns import SET_NULL, defaulting, integer, ref, text
from service.migrations.tables import add_in_place, create, drop, drop_in_place, table

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


RETURN_TO = defaulting(text("return_to"), "")
TABLES = (
    table(
        "survey_paper_entry",
        ref("survey_id", "survey"),
        integer("sheet"),
        ref("entered_by", "manager", SET_NULL),
        text("entry_encrypted"),
        indexes=["survey_id"],
    ),
    table(
        "survey_paper_sheet",
        ref("survey_id", "survey"),
        integer("sheet"),
        unique=[("survey_id", "sheet")],
        indexes=["survey_id"],
    ),
)


def upgrade() -> None:
    add_in_place("survey", RETURN_TO)
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
    drop_in_place("survey", RETURN_TO)
