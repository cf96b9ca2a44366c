"""Counts of what reached people, by month, network, site, channel and measure; never who."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base

MEASURES = ("join", "leave", "rsvp", "support", "callback", "download")
# One person heard from in a month (by text, phone, kiosk or web), counted once that month,
# under the channel and site they first used in it. Not a column of the table by network:
# a month's people do not add up over months, nor belong to one network.
PERSON = "person"


class ReachTally(Base):
    """How many times one thing happened in one month; a count, so erasure leaves it standing.

    network_id and site_id are 0 for "none" rather than NULL, because NULLs never collide in
    a unique constraint and every increment must land on exactly one row. They carry no
    foreign key: a deleted network's history still counts towards the organisation's reach.
    """

    __tablename__ = "reach_tally"
    __table_args__ = (
        UniqueConstraint("organisation_id", "month", "network_id", "site_id", "channel", "measure"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    # The first day of the month, in the organisation's local time.
    month: Mapped[dt.date]
    network_id: Mapped[int] = mapped_column(default=0)
    site_id: Mapped[int] = mapped_column(default=0)
    channel: Mapped[str] = mapped_column(String(10))
    measure: Mapped[str] = mapped_column(String(10))
    count: Mapped[int] = mapped_column(default=0)


class ReachMembers(Base):
    """Memberships now, by network, site and channel: kept by database triggers (migration 0036).

    Every change to a membership, or to a member's site, moves these counts in the same
    transaction, however it was made (a join, an erasure's cascade, a site deleted), so the
    dashboard reads a few rows instead of counting every membership. site_id 0: not known.
    """

    __tablename__ = "reach_members"
    __table_args__ = (UniqueConstraint("organisation_id", "network_id", "site_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    network_id: Mapped[int]
    site_id: Mapped[int]
    channel: Mapped[str] = mapped_column(String(10))
    count: Mapped[int]


class ReachMemberPeople(Base):
    """People with at least one membership now, by site: kept by the same triggers."""

    __tablename__ = "reach_member_people"
    __table_args__ = (UniqueConstraint("organisation_id", "site_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    site_id: Mapped[int]
    count: Mapped[int]
