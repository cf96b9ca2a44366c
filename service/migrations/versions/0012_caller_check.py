"""Phone line: codes texted during a call, so caller ID alone never proves who is calling

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 19:40:00.000000
"""

from __future__ import annotations

from service.migrations.columns import integer, optional, org, ref, string, when
from service.migrations.tables import create, drop, table

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


TABLES = (
    table(
        "caller_check",
        org(),
        ref("contact_id", "contact"),
        string("call_sid", 64),
        string("code_hash", 64),
        integer("attempts"),
        when("created_at"),
        when("expires_at"),
        optional(when("verified_at")),
        indexes=["call_sid", "contact_id", "created_at", "organisation_id"],
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
