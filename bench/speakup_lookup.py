"""Speak-up case lookups: a wrong code whose locator matches a case, against one that matches none.

Before issue 16 a matching locator cost one argon2 verification (0.2-0.3 s on a loaded
machine) and any other locator none (0.01-0.03 s), so timing found open cases' locators. Both
now verify one hash; the ratio printed should be close to 1. Run on a SQLite file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Figure, record
from service.crypto import Vault
from service.db import Base, Database
from service.speakup import codes
from service.speakup import operations as speakup
from tests.support import factories

ROUNDS = 15
NOW = dt.datetime(2026, 12, 7, 10, 15, tzinfo=dt.UTC)


def main() -> None:
    """Time wrong codes against a case's locator and against none, one new sender each."""
    import service.models  # noqa: F401  (every table mapped)

    with tempfile.TemporaryDirectory() as tmp:
        database = Database(f"sqlite:///{tmp}/bench.db", Vault("bench-data-key-not-secret"))
        Base.metadata.create_all(database.engine)
        with database.session() as session:
            org = factories.create_organisation(session)
            raised = speakup.raise_concern(
                session, org, text="bench", channel="sms", sender="owner", now=NOW
            )
            org_id, locator = org.id, codes.locator(raised.code)
        other = next(c * 3 for c in "0123" if c * 3 != locator)
        timings: dict[str, list[float]] = {"matching": [], "none": []}
        for n in range(ROUNDS):
            for label, prefix in (("matching", locator), ("none", other)):
                with database.session() as session:
                    org = session.get_one(type(org), org_id)
                    start = time.perf_counter()
                    with contextlib.suppress(speakup.WrongCode):
                        speakup.open_case(
                            session,
                            org,
                            prefix + "0" * codes.SECRET_LENGTH,
                            sender=f"{label} {n}",
                            now=NOW,
                        )
                    timings[label].append(time.perf_counter() - start)
        database.dispose()
    matching, none = (statistics.median(timings[k]) * 1000 for k in ("matching", "none"))
    record(
        [
            Figure(
                bench="speakup_lookup",
                name="wrong code, no case's locator vs a case's (median ms)",
                value=none,
                baseline=matching,
                unit="ms",
                higher_is_better=False,
                target="ratio near 1: a lookup takes as long whether or not a case matches",
            )
        ]
    )


if __name__ == "__main__":
    main()
