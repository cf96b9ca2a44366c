"""Pulse surveys: surveys, questions, anonymous responses, keyed tokens

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 02:16:09.870299
"""

from __future__ import annotations

from service.migrations.columns import flag, integer, json, optional, org, ref, string, text, when
from service.migrations.tables import create, drop, table

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


TABLES = (
    table(
        "survey",
        org(),
        string("title", 200),
        text("intro"),
        string("keyword", 40),
        when("closes_at"),
        string("status", 10),
        string("mode", 12),
        string("audience", 10),
        json("network_ids"),
        json("site_ids"),
        optional(text("token_key_encrypted")),
        when("created_at"),
        optional(when("opened_at")),
        optional(when("closed_at")),
        unique=[("organisation_id", "keyword")],
        indexes=["organisation_id"],
    ),
    table(
        "survey_question",
        ref("survey_id", "survey"),
        integer("position"),
        string("kind", 10),
        text("text"),
        text("options"),
        flag("prefer_not"),
        indexes=["survey_id"],
    ),
    table(
        "survey_token",
        string("token", 64),
        ref("survey_id", "survey"),
        flag("finished"),
        integer("position"),
        optional(text("progress_encrypted")),
        primary="token",
        indexes=["survey_id"],
    ),
    table(
        "survey_response",
        string("id", 32),
        ref("survey_id", "survey"),
        string("channel", 10),
        ref("site_id", "site", "SET NULL"),
        string("language", 8),
        flag("complete"),
        optional(ref("contact_id", "contact")),
        indexes=["contact_id", "survey_id"],
    ),
    table(
        "survey_answer",
        string("id", 32),
        ref(string("response_id", 32), "survey_response"),
        ref("question_id", "survey_question"),
        string("outcome", 10),
        optional(integer("value")),
        optional(text("text_encrypted")),
        indexes=["question_id", "response_id"],
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
