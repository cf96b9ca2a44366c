"""Members now, kept as counts: the reach dashboard reads a few rows, not every membership

The dashboard's "members now" and each site's people with a membership were counted from
membership joined to contact on every view: at a million contacts, over a second. Now
reach_members holds memberships by organisation, network, site and channel, reach_member_people
the people with at least one membership by organisation and site, and contact.network_count
each contact's memberships (which says when someone's first joins or last leaves). Triggers keep
all three in the same transaction as the change that moves them, however it is made: a join or
a leave, an erasure's cascade, a network or site deleted, a contact moved to another site, or
rows copied in bulk. Filled from what is there when this runs.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-05 09:00:00.000000
"""

from __future__ import annotations

from alembic import op

from service.migrations.columns import defaulting, integer, org, string
from service.migrations.tables import add_in_place, create, drop, drop_in_place, table

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None


NETWORK_COUNT = defaulting(integer("network_count"), "0")
TABLES = (
    table(
        "reach_members",
        org(),
        integer("network_id"),
        integer("site_id"),
        string("channel", 10),
        integer("count"),
        unique=[("organisation_id", "network_id", "site_id", "channel")],
    ),
    table(
        "reach_member_people",
        org(),
        integer("site_id"),
        integer("count"),
        unique=[("organisation_id", "site_id")],
    ),
)

# Each trigger's statements, written once in SQL both databases run ({row}: OLD or NEW).
# A contact's unknown site counts as site 0, as in reach_tally.
MEMBERSHIP_ADDED = (
    "UPDATE contact SET network_count = network_count + 1 WHERE id = {row}.contact_id",
    "INSERT INTO reach_members (organisation_id, network_id, site_id, channel, count)"
    " SELECT organisation_id, {row}.network_id, COALESCE(site_id, 0), {row}.channel, 1"
    " FROM contact WHERE id = {row}.contact_id"
    " ON CONFLICT (organisation_id, network_id, site_id, channel)"
    " DO UPDATE SET count = reach_members.count + 1",
    # Their first membership: one more person with a membership at their site.
    "INSERT INTO reach_member_people (organisation_id, site_id, count)"
    " SELECT organisation_id, COALESCE(site_id, 0), 1"
    " FROM contact WHERE id = {row}.contact_id AND network_count = 1"
    " ON CONFLICT (organisation_id, site_id) DO UPDATE SET count = reach_member_people.count + 1",
)
# When the contact is not found it is being deleted: its own trigger took its counts off.
# Nothing is counted for an organisation being deleted (its cascades run these), whose counts
# go with it: PostgreSQL would check even an update against the organisation already gone.
MEMBERSHIP_REMOVED = (
    "UPDATE contact SET network_count = network_count - 1 WHERE id = {row}.contact_id"
    " AND EXISTS (SELECT 1 FROM organisation WHERE id = contact.organisation_id)",
    "UPDATE reach_members SET count = count - 1"
    " WHERE network_id = {row}.network_id AND channel = {row}.channel"
    " AND (organisation_id, site_id) = (SELECT organisation_id, COALESCE(site_id, 0)"
    " FROM contact WHERE id = {row}.contact_id)"
    " AND EXISTS (SELECT 1 FROM organisation WHERE id = reach_members.organisation_id)",
    "UPDATE reach_member_people SET count = count - 1"
    " WHERE (organisation_id, site_id) = (SELECT organisation_id, COALESCE(site_id, 0)"
    " FROM contact WHERE id = {row}.contact_id AND network_count = 0)"
    " AND EXISTS (SELECT 1 FROM organisation WHERE id = reach_member_people.organisation_id)",
)
# A contact leaves the counts of the site it was at: deleted, or moved (by hand, or SET NULL
# when its site is deleted). Its memberships are still there to count when this runs.
CONTACT_OFF = (
    "UPDATE reach_members SET count = count - (SELECT count(*) FROM membership AS m"
    " WHERE m.contact_id = OLD.id AND m.network_id = reach_members.network_id"
    " AND m.channel = reach_members.channel)"
    " WHERE organisation_id = OLD.organisation_id AND site_id = COALESCE(OLD.site_id, 0)"
    " AND network_id IN (SELECT network_id FROM membership WHERE contact_id = OLD.id)"
    " AND EXISTS (SELECT 1 FROM organisation WHERE id = OLD.organisation_id)",
    "UPDATE reach_member_people SET count = count - 1"
    " WHERE organisation_id = OLD.organisation_id AND site_id = COALESCE(OLD.site_id, 0)"
    " AND OLD.network_count > 0"
    " AND EXISTS (SELECT 1 FROM organisation WHERE id = OLD.organisation_id)",
)
# ...and, moved, joins those of its new one.
CONTACT_ON = (
    "INSERT INTO reach_members (organisation_id, network_id, site_id, channel, count)"
    " SELECT NEW.organisation_id, network_id, COALESCE(NEW.site_id, 0), channel, count(*)"
    " FROM membership WHERE contact_id = NEW.id"
    " AND EXISTS (SELECT 1 FROM organisation WHERE id = NEW.organisation_id)"
    " GROUP BY network_id, channel"
    " ON CONFLICT (organisation_id, network_id, site_id, channel)"
    " DO UPDATE SET count = reach_members.count + excluded.count",
    "INSERT INTO reach_member_people (organisation_id, site_id, count)"
    " SELECT NEW.organisation_id, COALESCE(NEW.site_id, 0), 1"
    " WHERE NEW.network_count > 0"
    " AND EXISTS (SELECT 1 FROM organisation WHERE id = NEW.organisation_id)"
    " ON CONFLICT (organisation_id, site_id) DO UPDATE SET count = reach_member_people.count + 1",
)


def _on(statements: tuple[str, ...], row: str) -> tuple[str, ...]:
    return tuple(s.format(row=row) for s in statements)


# (name, timing and event, table, statements, condition or None)
TRIGGERS = (
    ("reach_membership_added", "AFTER INSERT", "membership", _on(MEMBERSHIP_ADDED, "NEW"), None),
    (
        "reach_membership_removed",
        "AFTER DELETE",
        "membership",
        _on(MEMBERSHIP_REMOVED, "OLD"),
        None,
    ),
    (
        "reach_membership_changed",
        "AFTER UPDATE OF contact_id, network_id, channel",
        "membership",
        _on(MEMBERSHIP_REMOVED, "OLD") + _on(MEMBERSHIP_ADDED, "NEW"),
        "OLD.contact_id <> NEW.contact_id OR OLD.network_id <> NEW.network_id"
        " OR OLD.channel <> NEW.channel",
    ),
    ("reach_contact_removed", "BEFORE DELETE", "contact", CONTACT_OFF, None),
    (
        "reach_contact_moved",
        "AFTER UPDATE OF site_id",
        "contact",
        CONTACT_OFF + CONTACT_ON,
        "OLD.site_id IS DISTINCT FROM NEW.site_id",
    ),
)

BACKFILL = (
    "UPDATE contact SET network_count = (SELECT count(*) FROM membership"
    " WHERE membership.contact_id = contact.id)"
    " WHERE id IN (SELECT contact_id FROM membership)",
    "INSERT INTO reach_members (organisation_id, network_id, site_id, channel, count)"
    " SELECT c.organisation_id, m.network_id, COALESCE(c.site_id, 0), m.channel, count(*)"
    " FROM membership AS m JOIN contact AS c ON c.id = m.contact_id"
    " GROUP BY c.organisation_id, m.network_id, COALESCE(c.site_id, 0), m.channel",
    "INSERT INTO reach_member_people (organisation_id, site_id, count)"
    " SELECT organisation_id, COALESCE(site_id, 0), count(*) FROM contact"
    " WHERE network_count > 0 GROUP BY organisation_id, COALESCE(site_id, 0)",
)


def _create_trigger(
    name: str, event: str, on: str, body: tuple[str, ...], when: str | None
) -> None:
    if op.get_bind().dialect.name == "postgresql":
        # A BEFORE DELETE trigger must hand back the row, or the delete is skipped.
        back = "OLD" if event.startswith("BEFORE") else "NULL"
        op.execute(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            + " ".join(s + ";" for s in body)
            + f" RETURN {back}; END $$"
        )
        condition = f"WHEN ({when}) " if when else ""
        op.execute(
            f"CREATE TRIGGER {name} {event} ON {on} FOR EACH ROW {condition}"
            f"EXECUTE FUNCTION {name}()"
        )
        return
    # SQLite spells IS DISTINCT FROM as IS NOT.
    condition = f"WHEN {when.replace('IS DISTINCT FROM', 'IS NOT')} " if when else ""
    op.execute(
        f"CREATE TRIGGER {name} {event} ON {on} FOR EACH ROW {condition}BEGIN "
        + " ".join(s + ";" for s in body)
        + " END"
    )


def upgrade() -> None:
    add_in_place("contact", NETWORK_COUNT)
    create(*TABLES)
    for statement in BACKFILL:
        op.execute(statement)
    for name, event, on, statements, when in TRIGGERS:
        _create_trigger(name, event, on, statements, when)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, _event, on, *_body in reversed(TRIGGERS):
        op.execute(f"DROP TRIGGER {name} ON {on}" if postgresql else f"DROP TRIGGER {name}")
        if postgresql:
            op.execute(f"DROP FUNCTION {name}()")
    drop(*TABLES)
    drop_in_place("contact", NETWORK_COUNT)
