"""Send an urgent broadcast to one demo network, run in the cluster's environment; prints its id.

A separate process because the test process's huey is not the cluster's: rows written here
reach the cluster's Redis queue exactly as a manager's broadcast from the console would.
Usage: python -m tests.reliability.broadcast <network slug> <body>
"""

from __future__ import annotations

import sys

from sqlalchemy import select

from service import create_app
from service.broadcasts.operations import create_broadcast, send_broadcast
from service.content.models import Network
from service.db import get_database, utcnow
from service.organisations.models import Organisation


def main(slug: str, body: str) -> None:
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


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
