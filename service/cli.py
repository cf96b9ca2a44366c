"""The `frontline` command: Flask's run and shell plus db, demo and worker."""

from __future__ import annotations

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
        created = load_demo(session)
    click.echo("Demo organisation loaded." if created else "Demo organisation already present.")


@cli.command()
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
@with_appcontext
def worker(workers: int) -> None:
    """Run a huey worker with the periodic scheduler."""
    from huey.consumer import Consumer

    from service import tasks

    tasks.huey.immediate = False
    Consumer(tasks.huey, workers=workers, periodic=True, worker_type="thread").run()


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


def main() -> None:
    """Entry point of the console script; a bad configuration ends with its message."""
    try:
        cli.main(prog_name="frontline")
    except ConfigError as exc:
        raise SystemExit(f"frontline: configuration error: {exc}") from None
