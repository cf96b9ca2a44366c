"""The content store: organisations, sites, networks, events, support, contacts, managers.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 07:59:54.114751
"""

from __future__ import annotations

from service.migrations.columns import flag, integer, number, optional, org, ref, string, text, when
from service.migrations.tables import create, drop, table

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


TABLES = (
    table(
        "organisation",
        string("slug", 64),
        string("name", 200),
        string("timezone", 64),
        string("default_language", 8),
        when("created_at"),
        unique=[("slug",)],
    ),
    table(
        "translation",
        string("owner_table", 40),
        integer("owner_id"),
        string("field", 40),
        string("language", 8),
        text("text"),
        flag("reviewed"),
        when("updated_at"),
        unique=[("owner_table", "owner_id", "field", "language")],
        indexes=[("ix_translation_owner", "owner_table", "owner_id")],
    ),
    table(
        "contact",
        org(),
        *number("phone"),
        string("language", 8),
        flag("discreet"),
        optional(when("opted_out_at")),
        when("created_at"),
        when("last_seen_at"),
        unique=[("organisation_id", "phone_index")],
        indexes=["organisation_id", "phone_index"],
    ),
    table(
        "manager",
        org(),
        string("email", 320),
        string("display_name", 200),
        string("password_hash", 200),
        optional(string("totp_secret", 64)),
        when("created_at"),
        unique=[("email",)],
        indexes=["organisation_id"],
    ),
    table(
        "network",
        org(),
        ref("parent_id", "network", "SET NULL"),
        string("slug", 64),
        string("name", 200),
        string("short_description", 300),
        text("long_description"),
        flag("sensitive"),
        string("discreet_name", 200),
        when("created_at"),
        unique=[("organisation_id", "slug")],
        indexes=["organisation_id"],
    ),
    table(
        "organisation_number",
        org(),
        string("e164", 20),
        flag("sms"),
        flag("voice"),
        unique=[("e164",)],
    ),
    table(
        "site",
        org(),
        string("slug", 64),
        string("name", 200),
        string("kind", 20),
        string("address", 400),
        flag("kiosk_enabled"),
        string("default_language", 8),
        unique=[("organisation_id", "slug")],
        indexes=["organisation_id"],
    ),
    table(
        "support_line",
        org(),
        string("name", 200),
        string("phone", 20),
        string("hours", 200),
        text("description"),
        flag("crisis"),
        flag("always_open"),
        integer("position"),
        indexes=["organisation_id"],
    ),
    table(
        "announcement",
        org(),
        optional(ref("network_id", "network")),
        text("body"),
        when("publish_from"),
        optional(when("publish_until")),
        indexes=["organisation_id"],
    ),
    table(
        "event",
        org(),
        optional(ref("network_id", "network")),
        ref("site_id", "site", "SET NULL"),
        string("title", 200),
        text("description"),
        string("place", 300),
        when("starts_at"),
        when("ends_at"),
        optional(string("rrule", 500)),
        optional(string("dial_in_number", 20)),
        optional(string("dial_in_pin", 20)),
        optional(integer("capacity")),
        when("created_at"),
        indexes=["network_id", "organisation_id"],
    ),
    table(
        "manager_role",
        ref("manager_id", "manager"),
        string("role", 20),
        optional(ref("network_id", "network")),
        optional(ref("site_id", "site")),
        unique=[("manager_id", "role", "network_id", "site_id")],
    ),
    table(
        "membership",
        ref("contact_id", "contact"),
        ref("network_id", "network"),
        when("joined_at"),
        string("channel", 10),
        optional(string("consent_version", 20)),
        optional(when("consent_at")),
        optional(string("consent_channel", 10)),
        unique=[("contact_id", "network_id")],
        indexes=["network_id"],
    ),
    table(
        "network_keyword",
        org(),
        ref("network_id", "network"),
        string("language", 8),
        string("word", 40),
        unique=[("organisation_id", "word")],
        indexes=["network_id"],
    ),
)


def upgrade() -> None:
    create(*TABLES)


def downgrade() -> None:
    drop(*TABLES)
