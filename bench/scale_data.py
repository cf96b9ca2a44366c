"""Generate a national-scale organisation set for `make bench-scale` (issue 20, item 5).

At --scale 1: 1,000,000 contacts over 5 organisations (encrypted numbers and blind indexes
exactly as the service writes them, languages spread as below), 300,000 memberships over 50
networks, two years of reach tallies and 5,000,000 inbound log rows, all past retention.

Rows go in by COPY on PostgreSQL (multi-row INSERTs elsewhere), one transaction per batch,
each batch recording how far it got in bench_scale_progress in the same transaction: a
killed run, run again, carries on where it stopped, and a finished one does nothing.
Run it as `python bench/scale_data.py --scale 0.01` with FRONTLINE_DATABASE_URL set.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import click
from sqlalchemy import Connection, func, insert, select, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from service.contacts.models import Contact, Membership
from service.contacts.operations import CONSENT_VERSION
from service.content import operations as content_ops
from service.content.models import Network
from service.crypto import Vault
from service.db import Database, get_database, utcnow
from service.demo import load_demo
from service.demo.content import ORGANISATION
from service.organisations import operations as organisations
from service.organisations.models import Organisation, Site
from service.reach.models import PERSON, ReachTally
from service.sms.models import InboundMessage

CONTACTS = 1_000_000
MEMBERSHIPS = 300_000
INBOUND = 5_000_000
NETWORKS_PER_ORG = 10
# The demo council holds most people, so its broadcasts and dashboard are the largest; four
# more organisations share the rest and make every query pick its organisation out.
ORG_SHARES = (0.80, 0.05, 0.05, 0.05, 0.05)
EXTRA_ORGS = tuple((f"scale-{n}", f"Scale Borough {n}", f"+44113496010{n}") for n in range(1, 5))
# The demo's seven languages, spread as the demo's sites are staffed: English most, then the
# Polish depot, and the languages the translations were written for.
LANGUAGES = (("en", 70), ("pl", 10), ("ro", 6), ("ur", 5), ("pa", 4), ("gu", 3), ("so", 2))
DISCREET_SHARE = 0.1
CHANNELS = ("sms", "kiosk", "voice", "web")
HISTORY_MONTHS = 24
INBOUND_PER_CONTACT = 5
# Generated numbers: +44 75 then eight digits, the index of the person (0 upwards). The
# webhook benchmarks use +4474 numbers, so the two never meet.
NUMBER = "+4475{:08d}"
SID_PREFIX = "SMbench"

Progress = Callable[[str, int, int], None]


def number_of(index: int) -> str:
    """The phone number of generated person `index`."""
    return NUMBER.format(index)


@dataclass(frozen=True)
class Plan:
    """How many of each thing a scale asks for."""

    contacts: int
    memberships: int
    inbound: int

    @classmethod
    def at(cls, scale: float) -> Plan:
        """The plan at a scale (1.0: a million contacts)."""
        return cls(
            contacts=max(len(ORG_SHARES), round(CONTACTS * scale)),
            memberships=round(MEMBERSHIPS * scale),
            inbound=round(INBOUND * scale),
        )


@dataclass(frozen=True)
class OrgShape:
    """One organisation's ids: where its people live and what they can join."""

    id: int
    sites: tuple[int, ...]
    networks: tuple[tuple[int, bool], ...]  # (id, sensitive), most joined first


def org_of(index: int, contacts: int) -> int:
    """Which organisation (position in ORG_SHARES) person `index` belongs to."""
    edge = 0.0
    for position, share in enumerate(ORG_SHARES):
        edge += share * contacts
        if index < edge:
            return position
    return len(ORG_SHARES) - 1


def generate(
    database: Database, scale: float, *, batch_size: int = 10_000, progress: Progress | None = None
) -> Plan:
    """Write (or finish writing) the data set at this scale; what it holds."""
    plan = Plan.at(scale)
    report = progress or (lambda part, rows, total: None)
    with database.sessionmaker() as session:
        _ensure_progress_table(session)
        shapes = _organisations(session)
        session.commit()
    _contacts(database, shapes, plan, batch_size, report)
    _inbound(database, plan, batch_size * INBOUND_PER_CONTACT, report)
    with database.sessionmaker() as session:
        _tallies(session, shapes, scale)
        session.commit()
    return plan


def _ensure_progress_table(session: Session) -> None:
    session.execute(
        text(
            "CREATE TABLE IF NOT EXISTS bench_scale_progress "
            "(phase VARCHAR(40) PRIMARY KEY, done BIGINT NOT NULL)"
        )
    )


def _done(session: Session, phase: str) -> int:
    found = session.execute(
        text("SELECT done FROM bench_scale_progress WHERE phase = :p"), {"p": phase}
    ).scalar()
    return int(found or 0)


def _set_done(session: Session, phase: str, done: int) -> None:
    updated = session.execute(
        text("UPDATE bench_scale_progress SET done = :d WHERE phase = :p"), {"p": phase, "d": done}
    )
    if not updated.rowcount:
        session.execute(
            text("INSERT INTO bench_scale_progress (phase, done) VALUES (:p, :d)"),
            {"p": phase, "d": done},
        )


def _organisations(session: Session) -> list[OrgShape]:
    """The demo council and four more, each with four sites and ten networks with an event."""
    if (
        session.scalar(select(Organisation.id).where(Organisation.slug == ORGANISATION["slug"]))
        is None
    ):
        load_demo(session)
    orgs = [
        session.scalars(select(Organisation).where(Organisation.slug == ORGANISATION["slug"])).one()
    ]
    for slug, name, number in EXTRA_ORGS:
        org = session.scalars(select(Organisation).where(Organisation.slug == slug)).one_or_none()
        if org is None:
            org = organisations.create_organisation(
                session, slug=slug, name=name, numbers=(number,)
            )
            for n, kind in enumerate(("depot", "depot", "care_home", "office"), start=1):
                organisations.add_site(
                    session, org, slug=f"site-{n}", name=f"{name} site {n}", kind=kind
                )
        orgs.append(org)
    session.flush()
    now = utcnow().replace(second=0, microsecond=0)
    shapes = []
    for org in orgs:
        networks = list(
            session.scalars(
                select(Network).where(Network.organisation_id == org.id).order_by(Network.id)
            )
        )
        for n in range(len(networks) + 1, NETWORKS_PER_ORG + 1):
            sensitive = n % 3 == 0
            network = content_ops.create_network(
                session,
                org,
                slug=f"group-{n}",
                name=f"Group {n}",
                short_description=f"Staff group {n}: meet colleagues from every site.",
                keywords={"en": (f"GROUP{n}",)},
                sensitive=sensitive,
                discreet_name=f"Staff meeting {n}" if sensitive else "",
            )
            start = now + dt.timedelta(days=1 + n % 7, hours=2)
            content_ops.create_event(
                session,
                org,
                network=network,
                title=f"Group {n} meet-up",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=1),
                rrule="FREQ=WEEKLY",
                place="Canteen",
            )
            networks.append(network)
        sites = session.scalars(
            select(Site.id).where(Site.organisation_id == org.id).order_by(Site.id)
        ).all()
        shapes.append(OrgShape(org.id, tuple(sites), tuple((n.id, n.sensitive) for n in networks)))
    return shapes


def _contacts(
    database: Database, shapes: list[OrgShape], plan: Plan, batch_size: int, report: Progress
) -> None:
    """Contacts with their memberships, a batch a transaction; resumes at the first not written."""
    vault: Vault = database.vault
    member_share = plan.memberships / plan.contacts
    now = utcnow()
    while True:
        with database.sessionmaker() as session:
            done = _done(session, "contacts")
            if done >= plan.contacts:
                return
            end = min(done + batch_size, plan.contacts)
            chance = random.Random(f"contacts {done}")
            ids = _new_ids(session, "contact", end - done)
            contacts, memberships = [], []
            languages = random.Random(f"languages {done}").choices(
                [code for code, _ in LANGUAGES], [weight for _, weight in LANGUAGES], k=end - done
            )
            for index, contact_id, language in zip(range(done, end), ids, languages, strict=True):
                shape = shapes[org_of(index, plan.contacts)]
                number = number_of(index)
                created = now - dt.timedelta(seconds=chance.uniform(0, 730 * 86400))
                contacts.append(
                    (
                        contact_id,
                        shape.id,
                        vault.encrypt(number),
                        vault.blind_index(number),
                        language,
                        chance.random() < DISCREET_SHARE,
                        shape.sites[index % len(shape.sites)],
                        created,
                        created + (now - created) * chance.random(),
                    )
                )
                if chance.random() < member_share:
                    network, sensitive = _zipf(chance, shape.networks)
                    channel = chance.choice(CHANNELS)
                    memberships.append(
                        (
                            contact_id,
                            network,
                            created,
                            channel,
                            CONSENT_VERSION if sensitive else None,
                            created if sensitive else None,
                            channel if sensitive else None,
                        )
                    )
            _write(
                session.connection(),
                Contact.__table__.name,
                (
                    "id",
                    "organisation_id",
                    "phone_encrypted",
                    "phone_index",
                    "language",
                    "discreet",
                    "site_id",
                    "created_at",
                    "last_seen_at",
                ),
                contacts,
            )
            _write(
                session.connection(),
                Membership.__table__.name,
                (
                    "contact_id",
                    "network_id",
                    "joined_at",
                    "channel",
                    "consent_version",
                    "consent_at",
                    "consent_channel",
                ),
                memberships,
            )
            _set_done(session, "contacts", end)
            session.commit()
        report("contacts", end - done, plan.contacts)


def _zipf(chance: random.Random, networks: Sequence[tuple[int, bool]]) -> tuple[int, bool]:
    """A network, the first most often (as one network outgrows the rest in a real council)."""
    return chance.choices(networks, [1 / (rank + 1) for rank in range(len(networks))])[0]


def _inbound(database: Database, plan: Plan, batch_size: int, report: Progress) -> None:
    """The inbound log: INBOUND_PER_CONTACT rows for contacts in id order, all past retention.

    Written in time order, as a log arrives: a batch's texts are its people's, shuffled, in
    the next slice of the two years. (Each contact's texts at random dates put the oldest rows
    on every page of the table, and a purge taking them oldest first rewrote 500 pages a
    batch.) Progress is the last contact id written for. If the rows were purged since (the
    bench measures the purge), they are written again from the start.
    """
    with database.sessionmaker() as session:
        written = (
            session.scalar(
                select(func.count())
                .select_from(InboundMessage)
                .where(InboundMessage.message_sid.startswith(SID_PREFIX))
            )
            or 0
        )
        if _done(session, "inbound rows") and written != _done(session, "inbound rows"):
            _set_done(session, "inbound", 0)
            _set_done(session, "inbound rows", 0)
            session.execute(
                InboundMessage.__table__.delete().where(
                    InboundMessage.message_sid.startswith(SID_PREFIX)
                )
            )
            session.commit()
    # Past the longest retention a setting may keep them (two years back from 100 days ago).
    oldest = utcnow() - dt.timedelta(days=100 + 730)
    step = 730 * 86400 / max(1, plan.inbound)  # seconds between one row's slot and the next
    while True:
        with database.sessionmaker() as session:
            after, rows_done = _done(session, "inbound"), _done(session, "inbound rows")
            if rows_done >= plan.inbound:
                return
            wanted = min(batch_size, plan.inbound - rows_done)
            people = session.execute(
                select(Contact.id, Contact.organisation_id)
                .where(Contact.id > after)
                .order_by(Contact.id)
                .limit(-(-wanted // INBOUND_PER_CONTACT))
            ).all()
            if not people:
                return  # fewer contacts than the plan's rows need: stop at what there is
            chance = random.Random(f"inbound {after}")
            texts = [
                (contact_id, org_id, k)
                for contact_id, org_id in people
                for k in range(INBOUND_PER_CONTACT)
            ][:wanted]
            chance.shuffle(texts)
            rows = [
                (
                    f"{SID_PREFIX}{contact_id:020x}{k:07x}",
                    org_id,
                    contact_id,
                    oldest + dt.timedelta(seconds=(rows_done + slot + chance.random()) * step),
                    chance.choice(("EVENTS", "EVENTS", "NETWORKS", "JOIN", "HELP", "TALK")),
                    1,
                )
                for slot, (contact_id, org_id, k) in enumerate(texts)
            ]
            _write(
                session.connection(),
                InboundMessage.__table__.name,
                (
                    "message_sid",
                    "organisation_id",
                    "contact_id",
                    "received_at",
                    "command",
                    "segments",
                ),
                rows,
            )
            _set_done(session, "inbound", people[-1][0])
            _set_done(session, "inbound rows", rows_done + len(rows))
            session.commit()
        report("inbound log", len(rows), plan.inbound)


def _tallies(session: Session, shapes: list[OrgShape], scale: float) -> None:
    """Two years of monthly counts by network, site, channel and measure (skipping any there)."""
    this_month = utcnow().date().replace(day=1)
    chance = random.Random("tallies")
    rows = []
    for shape, share in zip(shapes, ORG_SHARES, strict=True):
        size = max(1.0, CONTACTS * scale * share / 1000)  # counts grow with the organisation
        for back in range(1, HISTORY_MONTHS + 1):
            year, month = divmod(this_month.year * 12 + this_month.month - 1 - back, 12)
            first = dt.date(year, month + 1, 1)
            for site in shape.sites:
                for channel in CHANNELS:
                    rows.append(
                        (
                            shape.id,
                            first,
                            0,
                            site,
                            channel,
                            PERSON,
                            round(size * chance.uniform(2, 8)),
                        )
                    )
                    for network, _sensitive in shape.networks:
                        for measure, most in (("join", 3.0), ("leave", 0.6)):
                            rows.append(
                                (
                                    shape.id,
                                    first,
                                    network,
                                    site,
                                    channel,
                                    measure,
                                    round(size * chance.uniform(0, most)),
                                )
                            )
    columns = ("organisation_id", "month", "network_id", "site_id", "channel", "measure", "count")
    table = ReachTally.__table__
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    for start in range(0, len(rows), 5000):
        session.execute(
            dialect_insert(table).on_conflict_do_nothing(),
            [dict(zip(columns, row, strict=True)) for row in rows[start : start + 5000]],
        )


def _new_ids(session: Session, table: str, count: int) -> list[int]:
    """count fresh primary keys: from the table's sequence on PostgreSQL, past the top on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        return list(
            session.scalars(
                text(
                    f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"n": count},
            )
        )
    top = session.scalar(text(f"SELECT coalesce(max(id), 0) FROM {table}")) or 0
    return list(range(top + 1, top + 1 + count))


def _write(
    connection: Connection, table: str, columns: Sequence[str], rows: Iterable[tuple]
) -> None:
    """Rows into a table: COPY on PostgreSQL, multi-row INSERTs elsewhere."""
    rows = list(rows)
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        with raw.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([_naive_utc(v) for v in row])
        return
    target = Contact.metadata.tables[table]
    connection.execute(insert(target), [dict(zip(columns, row, strict=True)) for row in rows])


def _naive_utc(value: object) -> object:
    # The service stores naive UTC (service.db.UTCDateTime); COPY skips that type's conversion.
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


@click.command()
@click.option(
    "--scale",
    type=float,
    default=1.0,
    show_default=True,
    help="1.0: a million contacts; 0.01: ten thousand.",
)
@click.option("--batch-size", default=10_000, show_default=True, help="Contacts per transaction.")
@click.pass_context
def main(ctx: click.Context, scale: float, batch_size: int) -> None:
    """Write the national-scale data set into FRONTLINE_DATABASE_URL (resumes if stopped)."""
    from service import create_app
    from service.cli import BatchProgress

    app = ctx.obj or create_app()
    progress = BatchProgress("written")
    with app.app_context():
        plan = generate(get_database(app), scale, batch_size=batch_size, progress=progress)
    progress.close()
    click.echo(
        f"Data set at scale {scale}: {plan.contacts} contacts, about {plan.memberships} "
        f"memberships, {plan.inbound} inbound log rows, {HISTORY_MONTHS} months of reach."
    )


if __name__ == "__main__":
    main()
