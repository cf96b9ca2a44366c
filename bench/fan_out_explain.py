"""EXPLAIN ANALYZE of one fan-out batch on a bench-scale database, rolled back (issue 20, item 5).

Creates a broadcast to the whole largest organisation (status sending), catches the batch's
INSERT ... SELECT as write_range builds it, and runs it under EXPLAIN (ANALYZE, BUFFERS, WAL)
in a transaction that is rolled back, so the database is left as it was but for the broadcast
row (deleted at the end). Run as
`python bench/fan_out_explain.py [--size 10000] [--after 0] [--rounds 1]` with the environment
bench/scale.py gives the database (FRONTLINE_DATABASE_URL and the data keys).
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click
from sqlalchemy import delete, event, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


class _Caught(Exception):
    pass


@click.command()
@click.option("--size", default=10_000, help="people in the batch")
@click.option("--after", default=0, help="the batch starts after this contact id")
@click.option("--rounds", default=1, help="batches explained one after another")
@click.option("--before", multiple=True, help="SQL run first in the same transaction (A/B)")
def main(size: int, after: int, rounds: int, before: tuple[str, ...]) -> None:
    """Print the plan and timing of the fan-out's batch statement."""
    from service import create_app
    from service.broadcasts import fan_out
    from service.broadcasts.models import Broadcast
    from service.broadcasts.operations import _audience, create_broadcast, write_range
    from service.db import get_database, utcnow
    from service.demo.content import ORGANISATION
    from service.organisations.models import Organisation

    app = create_app()
    database = get_database(app)
    config = app.config["FRONTLINE"]
    with database.session() as session:
        org = session.scalars(
            select(Organisation).where(Organisation.slug == ORGANISATION["slug"])
        ).one()
        broadcast = create_broadcast(
            session, org, body="Depot closed today: snow. Stay safe.", audience="organisation"
        )
        broadcast.status, broadcast.sent_at, broadcast.fan_out_after = "sending", utcnow(), 0
        broadcast_id = broadcast.id
    try:
        for _ in range(rounds):
            with database.engine.connect() as connection:
                caught: list[tuple[str, object]] = []

                def catch(conn, cursor, statement, parameters, context, executemany, caught=caught):
                    if "INSERT INTO outbound_message" in statement:
                        caught.append((statement, parameters))
                        raise _Caught

                from sqlalchemy.orm import Session

                with Session(bind=connection, info=database.session_info()) as session:
                    broadcast = session.get_one(Broadcast, broadcast_id)
                    last, people = fan_out.batch_end(session, _audience(broadcast), after, size)
                    event.listen(connection, "before_cursor_execute", catch)
                    with contextlib.suppress(_Caught):
                        write_range(session, broadcast, config, utcnow(), after=after, last=last)
                    event.remove(connection, "before_cursor_execute", catch)
                    statement, parameters = caught[0]
                    for sql in before:
                        connection.exec_driver_sql(sql)
                    plan = connection.exec_driver_sql(
                        "EXPLAIN (ANALYZE, BUFFERS, WAL) " + statement, parameters
                    ).all()
                    print(f"== batch ({after}, {last}]: {people} people")
                    for (line,) in plan:
                        print(line)
                    session.rollback()
                after = last
    finally:
        with database.session() as session:
            session.execute(delete(Broadcast).where(Broadcast.id == broadcast_id))


if __name__ == "__main__":
    main()
