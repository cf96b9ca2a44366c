"""Seed members and send urgent broadcasts, run in the cluster's environment.

A separate process because the test process's huey is not the cluster's: rows written here
reach the cluster's Redis queue exactly as a manager's broadcast from the console would.
Usage:
  python -m tests.reliability.broadcast send <network slug> <body>      prints id and rows
  python -m tests.reliability.broadcast members <network slug> <first number> <count>
"""

from __future__ import annotations

import sys

from sqlalchemy import select

from service import create_app
from service.broadcasts.operations import create_broadcast, send_broadcast
from service.contacts.operations import get_or_create_contact, join_network
from service.content.models import Network
from service.db import get_database, utcnow
from service.organisations.models import Organisation


def send(slug: str, body: str) -> None:
    """Create and send the broadcast; print its id and the rows written."""
    app = create_app()
    with app.app_context(), get_database().session() as session:
        network = session.scalars(select(Network).where(Network.slug == slug)).one()
        org = session.get_one(Organisation, network.organisation_id)
        broadcast = create_broadcast(
            session, org, body=body, audience="networks", network_ids=[network.id], urgent=True
        )
        written = send_broadcast(session, broadcast, app.config["FRONTLINE"], utcnow())
        broadcast_id = broadcast.id
    print(broadcast_id, written)


def members(slug: str, first: str, count: int) -> None:
    """Make count numbers from first (+447400500000, +447400500001, ...) members of a network."""
    app = create_app()
    with app.app_context(), get_database().session() as session:
        network = session.scalars(select(Network).where(Network.slug == slug)).one()
        for n in range(count):
            number = f"+{int(first.lstrip('+')) + n}"
            contact, _ = get_or_create_contact(session, network.organisation_id, number)
            join_network(session, contact, network, channel="sms")
    print(count)


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "send":
        send(*args)
    elif command == "members":
        members(args[0], args[1], int(args[2]))
    else:
        raise SystemExit(__doc__)
