"""Compose, preview, send, schedule and cancel broadcasts; one outbox row per person."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.orm import Session

from service import languages, validation
from service.broadcasts import fan_out
from service.broadcasts.models import AUDIENCES, Broadcast, BroadcastTally
from service.config import Config
from service.contacts.models import Contact, Membership
from service.content.models import Network, Translation
from service.content.queries import translations_for
from service.db import FAN_OUT_KEY, hand_over_after_commit, on_one_core, utcnow
from service.errors import DomainError, ValidationError
from service.organisations.models import Organisation
from service.outbox.claims import seconds_until_quiet_hours_end
from service.outbox.operations import cancel_pending, queue_written


class BroadcastStateError(DomainError):
    """The broadcast cannot do that in its current state (already sent, cancelled...)."""


def checked_fields(
    session: Session,
    org: Organisation,
    *,
    body: str,
    audience: str,
    network_ids: list[int] | None = None,
    site_id: int | None = None,
) -> dict:
    """A broadcast's text and audience once checked: the values create and edit both store."""
    if audience not in AUDIENCES:
        raise ValidationError("audience", f"must be one of {', '.join(AUDIENCES)}")
    if audience == "networks":
        if not network_ids:
            raise ValidationError("network_ids", "choose at least one network")
        found = session.scalars(
            select(Network.id).where(Network.id.in_(network_ids), Network.organisation_id == org.id)
        ).all()
        if len(set(found)) != len(set(network_ids)):
            raise ValidationError("network_ids", "a network belongs to another organisation")
    if audience == "site" and not any(site.id == site_id for site in org.sites):
        raise ValidationError("site_id", "choose one of the organisation's sites")
    return {
        "body": validation.required_text("body", body, max_length=1600),
        "audience": audience,
        "network_ids": sorted(set(network_ids or ())) if audience == "networks" else None,
        "site_id": site_id if audience == "site" else None,
    }


def create_broadcast(
    session: Session,
    org: Organisation,
    *,
    body: str,
    audience: str,
    network_ids: list[int] | None = None,
    site_id: int | None = None,
    urgent: bool = False,
    scheduled_for: dt.datetime | None = None,
    created_by: int | None = None,
) -> Broadcast:
    """A draft broadcast; translations are added with content.operations.set_translation."""
    fields = checked_fields(
        session, org, body=body, audience=audience, network_ids=network_ids, site_id=site_id
    )
    broadcast = Broadcast(
        organisation_id=org.id,
        **fields,
        urgent=urgent,
        scheduled_for=scheduled_for,
        created_by=created_by,
    )
    session.add(broadcast)
    session.flush()
    return broadcast


@dataclass(frozen=True)
class Recipient:
    """A contact a broadcast reaches, with the networks that put them in the audience."""

    contact_id: int
    language: str
    discreet: bool
    network_ids: tuple[int, ...] = ()


def _reachable(broadcast: Broadcast, *, honour_held: bool = True) -> tuple:
    """Who may get the broadcast: reachable people, less those whose language is held."""
    conditions = (
        Contact.organisation_id == broadcast.organisation_id,
        Contact.opted_out_at.is_(None),
        Contact.unusable_at.is_(None),
    )
    if honour_held and broadcast.held_languages:
        conditions = (*conditions, Contact.language.not_in(broadcast.held_languages))
    return conditions


def _audience(broadcast: Broadcast, *, honour_held: bool = True) -> Select[tuple[int]]:
    """The ids of everyone the broadcast reaches (unordered, each once)."""
    query = select(Contact.id).where(*_reachable(broadcast, honour_held=honour_held))
    if broadcast.audience == "networks":
        member = select(Membership.contact_id).where(
            Membership.contact_id == Contact.id,
            Membership.network_id.in_(broadcast.network_ids or []),
        )
        query = query.where(member.exists())
    elif broadcast.audience == "site":
        query = query.where(Contact.site_id == broadcast.site_id)
    return query


def audience_size(session: Session, broadcast: Broadcast) -> int:
    """How many people the broadcast reaches (counted on one core: see on_one_core)."""
    on_one_core(session)
    return session.scalar(select(func.count()).select_from(_audience(broadcast).subquery())) or 0


def recipients(
    session: Session,
    broadcast: Broadcast,
    *,
    after: int | None = None,
    limit: int | None = None,
    honour_held: bool = True,
) -> list[Recipient]:
    """Everyone the broadcast reaches, once each, however many targeted networks they are in.

    With after and limit: the next `limit` of them by contact id, for a fan-out in batches.
    Without honour_held: held languages' members too (the preview counts what holding saves).
    """
    reachable = _reachable(broadcast, honour_held=honour_held)
    if after is not None or limit is not None:
        batch = (
            _audience(broadcast, honour_held=honour_held)
            .where(Contact.id > (after or 0))
            .order_by(Contact.id)
        )
        reachable = (*reachable, Contact.id.in_(batch.limit(limit).scalar_subquery()))
    columns = (Contact.id, Contact.language, Contact.discreet)
    if broadcast.audience == "networks":
        rows = session.execute(
            select(*columns, Membership.network_id)
            .join(Membership, Membership.contact_id == Contact.id)
            .where(*reachable, Membership.network_id.in_(broadcast.network_ids or []))
            .order_by(Contact.id, Membership.network_id)
        )
        grouped: dict[int, list] = defaultdict(list)
        meta: dict[int, tuple[str, bool]] = {}
        for contact_id, language, discreet, network_id in rows:
            grouped[contact_id].append(network_id)
            meta[contact_id] = (language, discreet)
        return [
            Recipient(cid, meta[cid][0], meta[cid][1], tuple(ids)) for cid, ids in grouped.items()
        ]
    query = select(*columns).where(*reachable).order_by(Contact.id)
    if broadcast.audience == "site":
        query = query.where(Contact.site_id == broadcast.site_id)
    return [
        Recipient(cid, language, discreet) for cid, language, discreet in session.execute(query)
    ]


def audience_kinds(
    session: Session, broadcast: Broadcast, *, honour_held: bool = True
) -> list[tuple[Recipient, int]]:
    """The audience grouped by what decides a person's text, with how many people each.

    A person's text depends only on their language, their discretion and the first targeted
    network they are in (see Renderer), so a preview of a million people is a few dozen kinds
    counted by the database, not a million rows rendered one by one.
    """
    reachable = _reachable(broadcast, honour_held=honour_held)
    if broadcast.audience == "networks":
        person = (
            select(
                Contact.language,
                Contact.discreet,
                func.min(Membership.network_id).label("first_network"),
            )
            .join(Membership, Membership.contact_id == Contact.id)
            .where(*reachable, Membership.network_id.in_(broadcast.network_ids or []))
            .group_by(Contact.id, Contact.language, Contact.discreet)
            .subquery()
        )
        kinds = session.execute(
            select(person.c.language, person.c.discreet, person.c.first_network, func.count())
            .group_by(person.c.language, person.c.discreet, person.c.first_network)
            .order_by(person.c.language, person.c.discreet, person.c.first_network)
        )
        return [
            (Recipient(0, language, discreet, (first,)), people)
            for language, discreet, first, people in kinds
        ]
    query = (
        select(Contact.language, Contact.discreet, func.count())
        .where(*reachable)
        .group_by(Contact.language, Contact.discreet)
        .order_by(Contact.language, Contact.discreet)
    )
    if broadcast.audience == "site":
        query = query.where(Contact.site_id == broadcast.site_id)
    return [
        (Recipient(0, language, discreet), people)
        for language, discreet, people in session.execute(query)
    ]


@dataclass
class Renderer:
    """The text each recipient gets: their language, and a discreet label where they asked."""

    body: dict[str, str]
    names: dict[tuple[int, str], tuple[str, str, bool]] = field(default_factory=dict)

    def parts(self, recipient: Recipient) -> tuple[str, str, str]:
        """The network's label ("" when none), the body, and the body's own language."""
        language = recipient.language if self.body.get(recipient.language) else "en"
        body = self.body[language]
        if not recipient.network_ids:
            return "", body, language
        name, discreet_name, sensitive = self.names[(recipient.network_ids[0], recipient.language)]
        label = discreet_name if sensitive and recipient.discreet and discreet_name else name
        return label, body, language

    def text(self, recipient: Recipient) -> str:
        """The broadcast as this recipient reads it."""
        label, body, _ = self.parts(recipient)
        return f"{label}: {body}" if label else body


def renderer(session: Session, broadcast: Broadcast, languages: set[str]) -> Renderer:
    """Everything needed to render the broadcast in the given languages, loaded once."""
    body = {"en": broadcast.body}
    names: dict[tuple[int, str], tuple[str, str, bool]] = {}
    networks = (
        session.scalars(select(Network).where(Network.id.in_(broadcast.network_ids))).all()
        if broadcast.network_ids
        else []
    )
    for language in languages:
        texts = translations_for(session, Broadcast.__tablename__, [broadcast.id], language)
        if texts.get((broadcast.id, "body")):
            body[language] = texts[(broadcast.id, "body")]
        net_texts = translations_for(
            session, Network.__tablename__, [n.id for n in networks], language
        )
        for n in networks:
            names[(n.id, language)] = (
                net_texts.get((n.id, "name")) or n.name,
                net_texts.get((n.id, "discreet_name")) or n.discreet_name,
                n.sensitive,
            )
    return Renderer(body, names)


# Contacts per fan-out batch: each batch is one transaction, so a worker that dies loses at most
# one batch's work, which the next run writes again from the broadcast's cursor. A batch holds a
# core for as long as the database takes to write it, and webhooks arriving meanwhile queue on
# the other. EVENTS p99 during a fan-out of 810,000 rows, against idle (bench/bulk_p99.py, 418
# texts/s on two cores, 6 Dec 2026): 2.95-5.66 times at 10,000 (median of 7 trials 3.41), 1.86-
# 2.71 at 2,500 (2.13 of 4), 1.84-4.47 at 1,000 (2.28 of 6); at 500 each batch's fixed work in
# the worker (the audience's next ids, the statement, the commits) took the machine, 3.4 and 19.
FAN_OUT_BATCH = 2_500
# Session.info key: broadcasts whose fan-out a worker starts once this transaction commits.
_FAN_OUT_KEY = "broadcasts.to_fan_out"


def start_broadcast(
    session: Session, broadcast: Broadcast, config: Config, now: dt.datetime
) -> str:
    """Send now (rows written by workers, in batches) or schedule; the broadcast's status.

    Nothing here grows with the audience: the worker counts it and writes its rows.
    """
    if broadcast.status not in ("draft", "scheduled"):
        raise BroadcastStateError(f"the broadcast is already {broadcast.status}")
    if broadcast.scheduled_for is not None and broadcast.scheduled_for > now:
        broadcast.status = "scheduled"
        return broadcast.status
    broadcast.status, broadcast.sent_at = "sending", now
    broadcast.recipients = 0
    broadcast.fan_out_after, broadcast.fanned_out, broadcast.fanned_out_at = 0, 0, None
    session.info.setdefault(_FAN_OUT_KEY, []).append(broadcast.id)
    return broadcast.status


def restart_fan_out(session: Session, broadcast: Broadcast) -> None:
    """Fan a sending broadcast out again from its first contact, once this transaction commits.

    Rows already written are skipped by their key, so only people newly in the audience (a
    held language given its text) get new rows; the worker counts the audience again.
    """
    # An UPDATE of its own, not the loaded row's attributes: read while the first round ran,
    # the cursor was 0 already (or, as the run ended, fanned_out_at None), which the ORM leaves
    # out of its UPDATE, and a round's end that moved the cursor meanwhile would stand. A round
    # under way as this commits tells the restart by the held languages it changed
    # (rounds.run_rounds): a restart for any other reason must change something it compares.
    session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast.id)
        .values(fan_out_after=0, fanned_out_at=None)
    )
    session.info.setdefault(_FAN_OUT_KEY, []).append(broadcast.id)


def fan_out_batch(
    session: Session,
    broadcast: Broadcast,
    config: Config,
    now: dt.datetime,
    *,
    size: int = FAN_OUT_BATCH,
    plans: Plans | None = None,
) -> int:
    """Write the outbox rows of the broadcast's next batch of people; how many people (0: done).

    Rows and cursor move in the caller's one transaction; the outbox's unique key per broadcast
    and contact means a batch written twice (a cursor from before a crash) adds nothing.
    `plans`, kept by the caller from batch to batch, holds the run's statement once made.
    """
    if broadcast.status != "sending" or broadcast.fanned_out_at is not None:
        return 0
    after = broadcast.fan_out_after or 0
    if after == 0:
        # Counted here, by the worker, so that Send answers at once whatever the audience.
        broadcast.recipients = audience_size(session, broadcast)
    last, people = fan_out.batch_end(session, _audience(broadcast), after, size)
    if not people:
        broadcast.fanned_out_at = now
        return 0
    ids = write_range(session, broadcast, config, now, after=after, last=last, plans=plans)
    queue_written(session, ids)
    broadcast.fan_out_after = last
    broadcast.fanned_out += len(ids)
    return people


# A fan-out run's texts, measured and encrypted, and the statement that writes them, kept from
# one batch to the next by the rounds (service/broadcasts/rounds.py). Making the texts took two
# queries per language (the broadcast's and its networks' translations) and an encryption per
# text: at 1,000-contact batches, 12% of the worker's samples (py-spy); building the statement,
# 40% of its CPU at 2,500. Kept per organisation content version, which every change to a
# network or its translations renews (service/content/version.py: a network made sensitive
# mid-send is named discreetly from the next batch on), per held languages, since releasing one
# adds its text in the same transaction (service/broadcasts/held.py), and per everything else
# of the broadcast the statement holds.
Plans = dict[tuple, fan_out.Plan]


def write_range(
    session: Session,
    broadcast: Broadcast,
    config: Config,
    now: dt.datetime,
    *,
    after: int,
    last: int,
    plans: Plans | None = None,
) -> list[int]:
    """Write the rows of everyone in the audience with contact ids in (after, last]; new ids.

    `plans`, kept by the caller from batch to batch, holds the run's statement once made.
    """
    org = session.get_one(Organisation, broadcast.organisation_id)
    # Quiet hours count from the moment the lead pressed Send, whichever batch this is.
    sent = broadcast.sent_at or now
    wait = (
        0.0
        if broadcast.urgent
        else seconds_until_quiet_hours_end(config, sent, ZoneInfo(org.timezone))
    )
    # In quiet hours the rows wait for the morning rather than wake people up.
    not_before = sent + dt.timedelta(seconds=wait) if wait else None
    network_ids = broadcast.network_ids if broadcast.audience == "networks" else None
    key = (
        org.content_version,
        tuple(broadcast.held_languages or ()),
        broadcast.id,
        broadcast.audience,
        broadcast.site_id,
        tuple(network_ids or ()),
        broadcast.urgent,
        not_before,
    )
    planned = plans.get(key) if plans is not None else None
    if planned is None:
        conditions = _reachable(broadcast)
        if broadcast.audience == "site":
            conditions = (*conditions, Contact.site_id == broadcast.site_id)
        planned = fan_out.plan(
            session,
            broadcast_id=broadcast.id,
            organisation_id=broadcast.organisation_id,
            conditions=conditions,
            network_ids=network_ids,
            written=fan_out.kinds(session, _texts(session, broadcast, network_ids)),
            urgent=broadcast.urgent,
            not_before=not_before,
        )
        if plans is not None:
            # Only the current one: a run outlives many content versions (every organisation's
            # moves when a translation is deleted anywhere).
            plans.clear()
            plans[key] = planned
    return fan_out.write_batch(session, planned, after=after, last=last, now=now)


def _texts(
    session: Session, broadcast: Broadcast, network_ids: list[int] | None
) -> dict[tuple[str, bool, int], str]:
    """Every text the broadcast can have, by (language, discreet, first network or 0)."""
    render = renderer(session, broadcast, set(languages.CODES))
    firsts = [n for n in network_ids or () if (n, languages.DEFAULT) in render.names]
    texts = {}
    for language in languages.CODES:
        for discreet in (False, True):
            for first in firsts or [0]:
                person = Recipient(0, language, discreet, (first,) if first else ())
                texts[(language, discreet, first)] = render.text(person)
    return texts


def send_broadcast(session: Session, broadcast: Broadcast, config: Config, now: dt.datetime) -> int:
    """Fan out now, in this transaction (or schedule it for later); the number of rows written.

    The console starts a broadcast with start_broadcast instead, so Send answers at once and
    workers write the rows; this is the same fan-out, run to the end by the caller.
    """
    if start_broadcast(session, broadcast, config, now) == "scheduled":
        return 0
    session.info.get(_FAN_OUT_KEY, []).remove(broadcast.id)  # done here, not by a worker
    while fan_out_batch(session, broadcast, config, now):
        pass
    return broadcast.fanned_out


# Only a committed Send is fanned out: a worker never sees a broadcast that rolled back.
hand_over_after_commit(_FAN_OUT_KEY, FAN_OUT_KEY)


def unfinished_fan_outs(session: Session) -> list[int]:
    """Broadcasts being sent whose rows are not all written (a worker died, the queue was down)."""
    return list(
        session.scalars(
            select(Broadcast.id).where(
                Broadcast.status == "sending",
                Broadcast.fan_out_after.is_not(None),
                Broadcast.fanned_out_at.is_(None),
            )
        )
    )


def cancel_broadcast(session: Session, broadcast: Broadcast) -> int:
    """Stop a broadcast: nothing not yet sent will be; how many rows were cancelled."""
    if broadcast.status in ("cancelled",):
        return 0
    broadcast.status, broadcast.cancelled_at = "cancelled", utcnow()
    return cancel_pending(session, broadcast_id=broadcast.id)


def fan_out_due(session: Session, config: Config, now: dt.datetime) -> int:
    """Send every scheduled broadcast whose time has come; how many went out."""
    due = session.scalars(
        select(Broadcast)
        .where(Broadcast.status == "scheduled", Broadcast.scheduled_for <= now)
        .with_for_update(skip_locked=True)
    ).all()
    for broadcast in due:
        start_broadcast(session, broadcast, config, now)
    return len(due)


@dataclass(frozen=True)
class Progress:
    """Where a broadcast's texts are: waiting, handed to Twilio, delivered, failed, cancelled."""

    total: int
    counts: dict[str, int]

    @property
    def done(self) -> int:
        """Texts with a final answer (delivered, failed, cancelled) or at least sent."""
        return self.total - self.counts.get("waiting", 0)

    @property
    def finished(self) -> bool:
        """Nothing is left to send (delivery reports may still arrive for sent texts)."""
        return self.counts.get("waiting", 0) == 0


# Outbox statuses as a lead reads them.
PROGRESS_GROUPS = {
    "pending": "waiting",
    "sending": "waiting",
    "sent": "sent",
    "delivered": "delivered",
    "undelivered": "failed",
    "failed": "failed",
    "cancelled": "cancelled",
}


def progress(session: Session, broadcast: Broadcast) -> Progress:
    """Counts of the broadcast's texts by where they are now.

    Read from the tallies the outbox's triggers keep (a few rows), never from the outbox,
    whose pages a broadcast going out keeps rewriting.
    """
    counts = dict.fromkeys(("waiting", "sent", "delivered", "failed", "cancelled"), 0)
    rows = session.execute(
        select(BroadcastTally.status, func.sum(BroadcastTally.count))
        .where(BroadcastTally.broadcast_id == broadcast.id)
        .group_by(BroadcastTally.status)
    )
    for status, n in rows:
        counts[PROGRESS_GROUPS.get(status, "waiting")] += int(n or 0)
    return Progress(total=sum(counts.values()), counts=counts)


def discard_draft(session: Session, broadcast: Broadcast) -> None:
    """Throw away a draft that was never sent, with its translations."""
    if broadcast.status != "draft":
        raise BroadcastStateError(f"the broadcast is already {broadcast.status}")
    session.execute(
        delete(Translation).where(
            Translation.owner_table == Broadcast.__tablename__, Translation.owner_id == broadcast.id
        )
    )
    session.delete(broadcast)
    session.flush()
