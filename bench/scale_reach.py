"""The reach figures of `make bench-scale` alone: the dashboard and its two CSVs, in the app.

`python bench/scale_reach.py [DATABASE] [DEMO_DATABASE]` signs in as an admin of the largest
organisation in each (as bench/scale_console.py does) and times the same three requests, the
median of three, the demo-sized database first as the baseline. Both must have been filled by
bench/scale_data.py and migrated; each run adds one manager to each.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import pyotp
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import scale, scale_console

PATHS = {
    "reach ms": "/console/reach",
    "reach csv ms": "/console/reach.csv",
    "people csv ms": "/console/reach/people.csv",
}
TARGET_MS = 1000


def reach_figures(name: str) -> dict[str, float]:
    """The median milliseconds of each reach request on one bench database."""
    from service.db import get_database
    from service.demo.content import ORGANISATION
    from service.managers.operations import create_manager
    from service.organisations.models import Organisation

    env = scale.environment(name, scale.current_key(scale.PG + name))
    email = f"reach-{int(time.time())}@northgate.example"
    with scale_console.service_app(env) as app:
        with get_database(app).session() as session:
            org = session.scalars(
                select(Organisation).where(Organisation.slug == ORGANISATION["slug"])
            ).one()
            manager = create_manager(
                session,
                org,
                email=email,
                password=scale_console.PASSWORD,
                roles=[("admin", None, None)],
            )
            secret = manager.totp_secret or ""
        browser = scale_console.Browser(app)
        first = browser.post(
            "/console/sign-in", {"email": email, "password": scale_console.PASSWORD}
        )
        step = first.headers["Location"].replace(browser.base, "")
        browser.post(step, {"code": pyotp.TOTP(secret).now()})
        today = dt.date.today()
        months = {
            "first": f"{today.year - 2}-{today.month:02d}",
            "last": f"{today.year}-{today.month:02d}",
        }
        return {
            key: scale_console.median_ms(lambda path=path: browser.get(path, query_string=months))
            for key, path in PATHS.items()
        }


def main() -> None:
    """Measure the demo-sized database, then the large one; print each beside the other."""
    large = sys.argv[1] if len(sys.argv) > 1 else "bench_scale"
    demo = sys.argv[2] if len(sys.argv) > 2 else "bench_scale_demo"
    baseline, figures = reach_figures(demo), reach_figures(large)
    print(f"{'figure':<16}{large:>16}{demo:>18}{'ratio':>8}  target")
    for key, value in figures.items():
        met = "met" if value <= TARGET_MS else "NOT met"
        print(
            f"{key:<16}{value:>16.0f}{baseline[key]:>18.0f}{value / baseline[key]:>8.1f}"
            f"  <= {TARGET_MS} ms: {met}"
        )


if __name__ == "__main__":
    main()
