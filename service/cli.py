"""The `frontline` command: Flask's run and shell plus db, demo, worker, purge and data-map."""

from __future__ import annotations

import datetime as dt
import sys
import time
from typing import Any

import click
from alembic import command as alembic_command
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from service import create_app
from service.config import ConfigError
from service.db import get_database
from service.migrations import alembic_config
from service.organisations.models import Organisation


def _alembic():
    return alembic_config(current_app.config["FRONTLINE"].database_url)


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
@click.version_option(package_name="frontline-connect", prog_name="frontline")
def cli() -> None:
    """Frontline Connect: reach staff who have no corporate account."""


@cli.group()
def db() -> None:
    """Database migrations."""


@db.command()
@click.argument("revision", default="head")
@with_appcontext
def upgrade(revision: str) -> None:
    """Upgrade the database to a revision (default: the latest)."""
    alembic_command.upgrade(_alembic(), revision)


@db.command()
@click.argument("revision", default="-1")
@with_appcontext
def downgrade(revision: str) -> None:
    """Downgrade the database by one step, or to a revision."""
    alembic_command.downgrade(_alembic(), revision)


@db.command()
@with_appcontext
def current() -> None:
    """Show the database's current revision."""
    alembic_command.current(_alembic(), verbose=False)


@db.command()
@click.option("-m", "--message", required=True, help="What the migration does.")
@with_appcontext
def revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    alembic_command.revision(_alembic(), message=message, autogenerate=True)


@cli.command()
@click.option("--if-empty", is_flag=True, help="Only when the database has no organisation yet.")
@with_appcontext
def demo(if_empty: bool) -> None:
    """Load the demo organisation (does nothing if it is already there)."""
    from service.demo import load_demo

    with get_database().session() as session:
        if if_empty and session.scalar(select(Organisation.id).limit(1)) is not None:
            click.echo("The database already holds an organisation: demo not loaded.")
            return
        created = load_demo(session, people=True)
    click.echo("Demo organisation loaded." if created else "Demo organisation already present.")


@cli.command()
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
@click.option(
    "--periodic/--no-periodic",
    default=True,
    show_default=True,
    help="Also queue the periodic jobs (sweeper, purge, scheduled broadcasts, reminders).",
)
@with_appcontext
def worker(workers: int, periodic: bool) -> None:
    """Run a huey worker (with the periodic scheduler unless --no-periodic)."""
    from huey.consumer import Consumer

    from service import tasks
    from service.extensions import huey

    # One app per worker process, reused (with its engine) by every task on every thread.
    tasks.use_app(current_app._get_current_object())  # type: ignore[attr-defined]
    huey.immediate = False
    # On SQLite, as in a web process: WAL checkpoints in a thread, not in a task's commit, where
    # SQLite copies pages and syncs while this writer still holds its turn (service.db).
    checkpointer = get_database().checkpoint_in_background()
    try:
        # Each scheduler queues every periodic job once a minute. The jobs are safe to run
        # twice, so several schedulers only cost work; one or two (a spare) is enough at scale.
        Consumer(huey, workers=workers, periodic=periodic, worker_type="thread").run()
    finally:
        if checkpointer is not None:
            checkpointer.stop()


@cli.command()
@click.argument("sender")
@click.argument("body")
@click.option("--to", help="The service number texted (default: the first one).")
@with_appcontext
def sms(sender: str, body: str, to: str | None) -> None:
    """Text the service from SENDER and print the reply, through the real signed webhook."""
    from service.contacts.phone import normalise
    from service.devtools.simulator import send_text
    from service.organisations.models import OrganisationNumber

    if to is None:
        with get_database().session() as session:
            to = session.scalar(select(OrganisationNumber.e164).order_by(OrganisationNumber.id))
        if to is None:
            raise click.ClickException("no organisation owns a number yet: run `frontline demo`")
    reply = send_text(current_app._get_current_object(), normalise(sender), normalise(to), body)
    if reply.status != 200:
        raise click.ClickException(f"the webhook answered HTTP {reply.status}")
    for text in reply.texts or ["(no reply)"]:
        click.echo(text)
        click.echo("")


@cli.command()
@click.option("--site", "site_slug", required=True, help="The site's slug, e.g. eastfield-depot.")
@click.option("--lang", "langs", default="en", show_default=True, help="Languages, e.g. en,pl,ur.")
@click.option("--size", type=click.Choice(["A4", "A3"]), default="A4", show_default=True)
@click.option("--large-print", is_flag=True, help="Body text 18 pt instead of 14 pt.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
@with_appcontext
def pack(site_slug: str, langs: str, size: str, large_print: bool, output: str) -> None:
    """Build a noticeboard pack (PDF) for a site in one or more languages."""
    import os
    import tempfile
    from pathlib import Path

    from service.db import utcnow
    from service.errors import DomainError
    from service.printing import operations as printing
    from service.reach.operations import count_reach

    config = current_app.config["FRONTLINE"]
    now = utcnow()
    # A pack in many languages takes a while to lay out: show it going, language by language.
    progress = BatchProgress("laid out", unit="languages")
    try:
        codes = printing.parse_languages(langs)
        with get_database().session() as session:
            site = printing.find_site(session, site_slug)
            built = printing.build_pack(
                session,
                site,
                codes,
                size=size,
                large_print=large_print,
                public_url=config.PUBLIC_URL,
                now=now,
                progress=progress if len(codes) > 1 else None,
            )
            progress.close()
            count_reach(
                session,
                site.organisation_id,
                measure="download",
                channel="print",
                site_id=site.id,
                at=now,
            )
            # Written beside the target and renamed: a failed build never leaves half a file.
            target = Path(output)
            with tempfile.NamedTemporaryFile(dir=target.parent or ".", delete=False) as tmp:
                tmp.write(built.pdf)
            os.replace(tmp.name, target)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{output}: {built.pages} pages, pack code {built.code}")


@cli.command("pack-check")
@click.argument("code")
@with_appcontext
def pack_check(code: str) -> None:
    """Say whether the content behind a printed pack has changed since it was printed."""
    from service.errors import DomainError
    from service.printing.operations import check_pack

    try:
        with get_database().session() as session:
            status = check_pack(
                session, code, public_url=current_app.config["FRONTLINE"].PUBLIC_URL
            )
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    printed = status.printed_at.strftime("%d %B %Y")
    if status.changed:
        click.echo(
            f"Pack {status.code} ({status.site_name}, {','.join(status.languages)}, printed "
            f"{printed}) is out of date: the content has changed. Print a new pack."
        )
        raise SystemExit(1)
    click.echo(
        f"Pack {status.code} ({status.site_name}, {','.join(status.languages)}, printed "
        f"{printed}) is up to date."
    )


class BatchProgress:
    """Progress of long batched work, per part (a column, a table).

    On a terminal: click's progress bar, with the rate and the time left. Otherwise (a log, a pipe):
    one line per batch, with rows done, rows in all, and the rate so far.
    """

    def __init__(self, verb: str, unit: str = "rows") -> None:
        self.verb = verb
        self.unit = unit
        self.tty = sys.stdout.isatty()
        self.part: str | None = None
        self.bar: Any = None
        self.done = self.already = 0
        # A part's first batch began when the previous batch ended (or when work began).
        self.last = self.started = time.monotonic()

    def __call__(self, part: str, rows: int, total: int) -> None:
        """Told after each committed batch: the part, rows in the batch, rows in the part."""
        if part != self.part:
            self._begin(part, total, already=0)
        self.done += rows
        self.last = time.monotonic()
        # This run's rate: rows an earlier, stopped run did are not this run's work.
        rate = (self.done - self.already) / max(self.last - self.started, 1e-6)
        shown = f"{rate:.0f}" if rate >= 10 else f"{rate:.2f}"
        if self.bar is not None:
            # Time left from this run's rate, so that rows an earlier run did do not flatter it
            # (click's own estimate would also miss the first batch, done before the bar).
            left = dt.timedelta(seconds=round((total - self.done) / max(rate, 1e-6)))
            self.bar.update(rows, f"{shown} {self.unit}/s, {left} left")
            return
        click.echo(f"{part}: {self.done} of {total} {self.verb} ({shown} {self.unit}/s)")

    def resume(self, part: str, done: int, total: int) -> None:
        """Told when a part carries on where an earlier run stopped, `done` of `total` in."""
        self._begin(part, total, already=done)
        if self.bar is None:
            click.echo(f"{part}: resuming after {done} of {total} {self.verb}")

    def _begin(self, part: str, total: int, *, already: int) -> None:
        self.close()
        self.part, self.done, self.already, self.started = part, already, already, self.last
        if self.tty:
            # The bar counts this run's rows, so its time left is not flattered by the others.
            label = f"{part} {self.verb}" + (f" (resumed after {already})" if already else "")
            self.bar = click.progressbar(
                length=max(total - already, 0),
                label=label,
                show_eta=False,
                show_pos=True,
                item_show_func=lambda rate: rate,
            ).__enter__()

    def close(self) -> None:
        """Finish the current part's bar, if any."""
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@cli.command()
@with_appcontext
def purge() -> None:
    """Delete what has outlived its retention period now (the worker does this hourly)."""
    from service.db import utcnow
    from service.privacy.retention import purge as purge_expired

    progress = BatchProgress("deleted")
    counts = purge_expired(
        get_database(), current_app.config["FRONTLINE"], utcnow(), progress=progress
    )
    progress.close()
    for table, deleted in counts.items():
        click.echo(f"{table}: {deleted} deleted")


@cli.command("data-map")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), default="docs/data-map.md", show_default=True
)
def data_map(output: str) -> None:
    """Write docs/data-map.md from the models: which table holds what personal data, and why."""
    from pathlib import Path

    import service.models  # noqa: F401  (every model, so the metadata is complete)
    from service.privacy.datamap import uncovered
    from service.privacy.mapdoc import render

    missing = uncovered()
    if missing:
        raise click.ClickException(
            "columns not in service/privacy/datamap.py: " + ", ".join(missing)
        )
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    Path(output).write_text(render())
    click.echo(f"{output} written.")


@cli.command("translation-review", with_appcontext=False)
@click.option(
    "--doc", type=click.Path(dir_okay=False), default="docs/translations.md", show_default=True
)
def translation_review(doc: str) -> None:
    """Write locales/priorities.toml from the sources, and the review status into the doc."""
    from pathlib import Path

    from service import catalog_priorities, catalog_review, catalogs
    from service.voice.prompts import PROMPTS

    folder = catalogs.directory()
    (folder / catalog_review.PRIORITIES).write_text(catalog_priorities.render(folder.parent))
    catalog_review.statuses.cache_clear()
    section = catalog_review.render_status(
        catalog_review.statuses(folder), somali_prompts=len(PROMPTS)
    )
    path = Path(doc)
    path.write_text(catalog_review.with_status(path.read_text(), section))
    click.echo(f"{folder / catalog_review.PRIORITIES} and {doc} written.")


@cli.command("create-manager")
@click.option("--email", required=True)
@click.option("--name", "display_name", default="", help="How the console greets them.")
@click.option("--org", "org_slug", help="The organisation's slug (default: the only one).")
@click.option(
    "--role",
    "roles",
    multiple=True,
    default=("admin",),
    show_default=True,
    help=(
        "admin, network_lead:<network>, site_manager:<site>, guardian or support_team; repeatable."
    ),
)
@click.password_option(help="At least 12 characters; asked for when not given.")
@with_appcontext
def create_manager(
    email: str, display_name: str, org_slug: str | None, roles: tuple[str, ...], password: str
) -> None:
    """Create a console manager (the first admin, say); they set up their code at first sign-in."""
    from service.content.models import Network
    from service.errors import DomainError
    from service.managers.operations import create_manager as create
    from service.organisations.models import Site

    try:
        with get_database().session() as session:
            orgs = session.scalars(select(Organisation)).all()
            org = (
                next((o for o in orgs if o.slug == org_slug), None)
                if org_slug
                else (orgs[0] if len(orgs) == 1 else None)
            )
            if org is None:
                raise click.ClickException("name the organisation with --org <slug>")
            scoped = []
            for spec in roles:
                role, _, target = spec.partition(":")
                network_id = site_id = None
                if role == "network_lead":
                    network_id = session.scalar(
                        select(Network.id).where(
                            Network.organisation_id == org.id, Network.slug == target
                        )
                    )
                    if network_id is None:
                        raise click.ClickException(f"no network called {target!r}")
                elif role == "site_manager":
                    site_id = session.scalar(
                        select(Site.id).where(Site.organisation_id == org.id, Site.slug == target)
                    )
                    if site_id is None:
                        raise click.ClickException(f"no site called {target!r}")
                scoped.append((role, network_id, site_id))
            manager = create(
                session,
                org,
                email=email,
                password=password,
                display_name=display_name,
                roles=scoped,
            )
            address = manager.email
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Manager {address} created. At their first sign-in at /console/ they scan a QR code "
        "into an authenticator app."
    )


def main() -> None:
    """Entry point of the console script; a bad configuration ends with its message."""
    try:
        cli.main(prog_name="frontline")
    except ConfigError as exc:
        raise SystemExit(f"frontline: configuration error: {exc}") from None


@cli.command("twilio-configure")
@click.option("--org", "org_slug", help="Only this organisation's numbers (its slug).")
@with_appcontext
def twilio_configure(org_slug: str | None) -> None:
    """Point the numbers' SMS, voice and status webhooks at FRONTLINE_PUBLIC_URL."""
    from service.errors import DomainError
    from service.organisations import twilio_setup

    try:
        with get_database(current_app).session() as session:
            outcomes = twilio_setup.configure(session, current_app.config["FRONTLINE"], org_slug)
    except (twilio_setup.NotReady, DomainError) as exc:
        raise click.ClickException(str(exc)) from None
    for outcome in outcomes:
        click.echo(outcome.line)
    if not outcomes:
        click.echo("No numbers to configure.")
    failed = sum(1 for o in outcomes if o.error)
    if failed:
        raise click.ClickException(f"{failed} of {len(outcomes)} numbers not configured")


@cli.command("rotate-data-key")
@click.option("--batch-size", default=500, show_default=True, help="Rows per committed batch.")
@with_appcontext
def rotate_data_key(batch_size: int) -> None:
    """Re-encrypt every stored value under DATA_KEY and rebuild the blind indexes; no downtime.

    A run that was stopped (killed, or the machine went down) is resumed by the next run for
    the same DATA_KEY, from the batch after the last one committed.
    """
    from service.privacy.rotation import rotate_all

    database = get_database(current_app)
    if not database.vault.has_old_keys:
        raise click.ClickException(
            "no FRONTLINE_OLD_DATA_KEYS configured: nothing to rotate from "
            "(set the new key as FRONTLINE_DATA_KEY and the old one in FRONTLINE_OLD_DATA_KEYS)"
        )
    progress = BatchProgress("rows read")
    report = rotate_all(
        database.sessionmaker, batch_size=batch_size, progress=progress, resumed=progress.resume
    )
    progress.close()
    for line in report.lines():
        click.echo(line)
    if report.problems:
        raise click.ClickException(
            f"{report.problems} row(s) not rotated; keep FRONTLINE_OLD_DATA_KEYS until resolved"
        )
    if any(c.raced for c in report.columns.values()):
        click.echo("Some rows changed while they were read: run the command again.")
    else:
        click.echo("Done: every value is under the current key; FRONTLINE_OLD_DATA_KEYS can go.")
