"""One visit, one code: a number proven at a kiosk serves that person's other actions there.

The code step's token becomes the visit's handle once its code matches. The kiosk page keeps
it (only it: never the number) until the kiosk resets, which ends the visit here too. A visit
also ends by itself: a few minutes after it was last used (a kiosk left alone resets in under
two), and at the latest twenty minutes after the code matched. It works only at the site
whose kiosk proved the number.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.contacts.models import Contact
from service.crypto import vault_of
from service.errors import NotFound
from service.organisations.models import Organisation
from service.verification.actions import Checked, Target, check_target, complete, pending_action
from service.verification.models import PendingAction

# Longer than the kiosk's own idle reset (60 s, then 20 s of "Still there?"), so a person
# reading a page is not cut off; short enough that a PC that never reset forgets soon.
VISIT_IDLE = dt.timedelta(minutes=3)
VISIT_LONGEST = dt.timedelta(minutes=20)
CHANNEL = "kiosk"


class VisitOver(NotFound):
    """The visit's number is no longer proven here: a new code is needed."""


def open_visit(action: PendingAction, now: dt.datetime) -> None:
    """Start a visit with an action whose code just matched at a kiosk."""
    # Once the code matched, expires_at no longer times the code: it times the visit.
    action.expires_at = now + VISIT_IDLE


def _visit(
    session: Session, org: Organisation, site_id: int, token: object, now: dt.datetime
) -> PendingAction:
    if not isinstance(token, str) or not token:
        raise VisitOver("no visit")
    action = session.scalar(
        select(PendingAction).where(
            PendingAction.token == token,
            PendingAction.organisation_id == org.id,
            PendingAction.channel == CHANNEL,
            PendingAction.site_id == site_id,
            PendingAction.by_reply.is_(False),
            PendingAction.completed_at.is_not(None),
        )
    )
    if (
        action is None
        or action.contact_id is None
        or action.completed_at is None
        or now >= action.expires_at
        or now >= action.completed_at + VISIT_LONGEST
    ):
        raise VisitOver("no visit, or it is over")
    return action


def visit_contact(
    session: Session, org: Organisation, site_id: int, token: object, now: dt.datetime
) -> Contact:
    """The contact whose number this visit proved; each use keeps the visit open a while."""
    action = _visit(session, org, site_id, token, now)
    assert action.completed_at is not None and action.contact_id is not None
    action.expires_at = min(now + VISIT_IDLE, action.completed_at + VISIT_LONGEST)
    return session.get_one(Contact, action.contact_id)


def end_visit(
    session: Session, org: Organisation, site_id: int, token: object, now: dt.datetime
) -> bool:
    """End a visit (the kiosk reset): its handle proves nothing from now on."""
    try:
        action = _visit(session, org, site_id, token, now)
    except VisitOver:
        return False
    action.expires_at = now
    return True


def act_in_visit(
    session: Session,
    org: Organisation,
    site_id: int,
    token: object,
    target: Target,
    *,
    language: str,
    now: dt.datetime,
) -> Checked:
    """Do a join, RSVP or call back for the visit's proven number, with no new code."""
    contact = visit_contact(session, org, site_id, token, now)
    check_target(session, org, target, language)
    vault = vault_of(session)
    handle = secrets.token_urlsafe(32)
    # Recorded like any confirmed request, so reach and the data map see it alike; its
    # code_hash ties it to the visit and matches no code anyone could type.
    action = pending_action(
        target,
        token=handle,
        organisation_id=org.id,
        contact_id=contact.id,
        site_id=site_id,
        channel=CHANNEL,
        language=language,
        code_hash=vault.blind_index(f"visit {handle} {token}"),
        created_at=now,
        expires_at=now,
    )
    session.add(action)
    session.flush()
    return complete(session, action, now)
