"""Run in a subprocess by test_crash: a council of N contacts and a broadcast to all of them."""

from __future__ import annotations

import sys

from service import create_app
from service.broadcasts.operations import create_broadcast, send_broadcast
from service.db import get_database, utcnow
from service.organisations.operations import create_organisation
from tests.support.outbox import add_contacts


def main(count: int) -> None:
    """Create the data and fan the broadcast out; the commit hook queues one task per row."""
    app = create_app()
    with app.app_context(), get_database(app).session() as session:
        org = create_organisation(
            session, slug="crash", name="Crash Test Council", numbers=("+441134960000",)
        )
        add_contacts(session, org, count)
        broadcast = create_broadcast(
            session, org, body="Depot open as usual.", audience="organisation"
        )
        send_broadcast(session, broadcast, app.config["FRONTLINE"], utcnow())


if __name__ == "__main__":
    main(int(sys.argv[1]))
