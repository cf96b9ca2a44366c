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

from service.migrations.columns import defaulting, flag, integer, ref, string, when
from service.migrations.tables import add_in_place, create, drop, drop_in_place, table

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


# Every response so far came by text from a number: verified.
VERIFIED = defaulting(flag("verified"), sa.true())
TABLES = (
    table(
        "survey_throttle",
        string("key", 64),
        ref("survey_id", "survey"),
        when("window_start"),
        integer("count"),
        primary="key",
        indexes=["survey_id"],
    ),
)


def upgrade() -> None:
    add_in_place("survey_response", VERIFIED)
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
    drop_in_place("survey_response", VERIFIED)
