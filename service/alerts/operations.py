"""Who is told that a call-back or speak-up case is waiting, and what the e-mail says.

An alert says only that something is waiting and where to sign in: never who asked, their
number, what they raised or which network (a network's name alone can reveal health,
disability, sexuality or ethnicity to whoever glances at an inbox).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.callbacks.models import CallbackRequest
from service.callbacks.operations import OPEN, role_reaches
from service.content.models import Network
from service.managers.models import Manager
from service.speakup.models import SpeakUpCase

# A request older than this when alerts first see it (alerts were off, or the worker was down
# for long) is not news: it is marked and left to the queue page.
NEWS_FOR = dt.timedelta(days=1)
# Handlers of a request, nearest first; admins are told only when nobody nearer exists.
HANDLERS = ("network_lead", "site_manager", "support_team")


@dataclass(frozen=True)
class Alert:
    """One e-mail to one manager."""

    manager_id: int
    subject: str
    body: str


def _active(session: Session, organisation_id: int) -> list[Manager]:
    return list(
        session.scalars(
            select(Manager).where(
                Manager.organisation_id == organisation_id, Manager.disabled_at.is_(None)
            )
        )
    )


def handlers_of(session: Session, row: CallbackRequest) -> list[Manager]:
    """The managers who handle this request: its lead, site manager or support team, else admins."""
    managers = _active(session, row.organisation_id)
    network = session.get(Network, row.network_id) if row.network_id else None
    near = [
        m
        for m in managers
        if any(r.role in HANDLERS and role_reaches(r, row, network) for r in m.roles)
    ]
    if near:
        return near
    return [m for m in managers if any(r.role == "admin" for r in m.roles)]


def claim_callbacks(session: Session, now: dt.datetime) -> list[CallbackRequest]:
    """New requests nobody was told of yet, each claimed once (two workers never both send)."""
    waiting = session.scalars(
        select(CallbackRequest)
        .where(CallbackRequest.alerted_at.is_(None))
        .order_by(CallbackRequest.id)
    ).all()
    claimed = []
    for row in waiting:
        unclaimed = CallbackRequest.alerted_at.is_(None)
        taken = _claim(session, CallbackRequest, row.id, unclaimed, alerted_at=now)
        if taken and row.status == OPEN and row.created_at >= now - NEWS_FOR:
            claimed.append(row)
    return claimed


def _claim(session: Session, model: type, row_id: int, unclaimed, **told: object) -> bool:
    """Mark one row told unless it already is; True for the one worker whose update took it."""
    taken = session.execute(
        update(model)
        .where(model.id == row_id, unclaimed)
        .values(**told)
        .execution_options(synchronize_session=False)
    )
    return taken.rowcount == 1


def callback_alerts(session: Session, rows: list[CallbackRequest], console_url: str) -> list[Alert]:
    """One e-mail per handler, however many of the new requests are theirs."""
    counts: Counter[int] = Counter()
    for row in rows:
        for manager in handlers_of(session, row):
            counts[manager.id] += 1
    link = console_url.rstrip("/") + "/console/callbacks"
    alerts = []
    for manager_id, count in sorted(counts.items()):
        subject = "A call-back is waiting" if count == 1 else f"{count} call-backs are waiting"
        body = (
            f"{'Someone has' if count == 1 else f'{count} people have'} asked to be called "
            "back, and you are one of the people who handle these requests.\n\n"
            f"Sign in to see the request and call back:\n{link}\n\n"
            "For everyone's privacy this e-mail never says who asked, their number or what "
            "it is about. Please do not forward it.\n"
        )
        alerts.append(Alert(manager_id, subject, body))
    return alerts


def speakup_alerts(session: Session, console_url: str) -> list[Alert]:
    """A daily word to each guardian when new speak-up cases arrived; marks them told.

    Once a day, never as a case arrives: a case keeps only its day, and an e-mail sent the
    minute a concern came in would time it (and could be matched against a call log).
    """
    new = session.scalars(select(SpeakUpCase).where(SpeakUpCase.alerted.is_(False))).all()
    per_org: Counter[int] = Counter()
    for case in new:
        if _claim(session, SpeakUpCase, case.id, SpeakUpCase.alerted.is_(False), alerted=True):
            per_org[case.organisation_id] += 1
    link = console_url.rstrip("/") + "/console/speak-up"
    alerts = []
    for organisation_id, count in sorted(per_org.items()):
        subject = (
            "A new speak-up case is waiting"
            if count == 1
            else f"{count} new speak-up cases are waiting"
        )
        body = (
            "Since yesterday's e-mail, "
            + ("a worker has" if count == 1 else "workers have")
            + " raised "
            + ("a new concern" if count == 1 else f"{count} new concerns")
            + f" through Speak up.\n\nSign in as the guardian to read and answer:\n{link}\n\n"
            "This e-mail never contains what was raised. Please do not forward it.\n"
        )
        for manager in _active(session, organisation_id):
            if any(r.role == "guardian" for r in manager.roles):
                alerts.append(Alert(manager.id, subject, body))
    return alerts
