"""Demo reach history: made-up monthly counts, so the reach dashboard is not empty on day one."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from service.content.models import Network
from service.demo.content import REACH_HISTORY
from service.organisations.models import Organisation, Site
from service.reach.operations import add_months, count_reach, month_of


def add_reach_history(
    session: Session,
    org: Organisation,
    networks: dict[str, Network],
    sites: dict[str, Site],
    now: dt.datetime,
) -> None:
    """Count the demo's past months, ending last month; this month is left to real use."""
    zone = ZoneInfo(org.timezone)
    this_month = month_of(org, now)
    session.flush()  # the networks and sites need their ids
    for network, site, channel, measure, counts in REACH_HISTORY:
        for back, amount in enumerate(reversed(counts), start=1):
            if not amount:
                continue
            month = add_months(this_month, -back)
            count_reach(
                session,
                org.id,
                measure=measure,
                channel=channel,
                network_id=networks[network].id if network else None,
                site_id=sites[site].id if site else None,
                # Mid-month at noon local time: the right month whatever the clocks do.
                at=dt.datetime(month.year, month.month, 15, 12, tzinfo=zone),
                amount=amount,
            )
