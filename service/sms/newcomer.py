"""A new number's first text, written at the end: its contact, its person counted, its inbound row.

A first text that only reads (HELP, GROUPS, EVENTS…) is answered before anything is written,
then its three rows go in at once: one statement on PostgreSQL (a round trip and a commit's
worth of work, where they took three), three short ones on SQLite while the write lock is held
(the lock no longer covers the answer). A concurrent text from the same number that made the
contact first leaves this one nothing written: the caller answers it as a returning member's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Date, Integer, String, Text, bindparam, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from service.db import Prepared, UTCDateTime
from service.organisations.models import Organisation
from service.reach.models import PERSON
from service.reach.operations import count_reach, month_of
from service.sms.models import InboundMessage

CHANNEL = "sms"


@dataclass(frozen=True)
class Written:
    """What the writes made: the new contact's id, and the inbound row's (None: a retry's)."""

    contact_id: int
    record_id: int | None


# Data-modifying CTEs run on one snapshot, and the inbound row's and tally's SELECT … FROM made
# insert nothing when the contact was not made (another text made it: ON CONFLICT DO NOTHING).
# The inbound row's key to the new contact is checked at the statement's end, once it exists.
_POSTGRESQL = Prepared(
    text(
        """
    WITH made AS (
        INSERT INTO contact (organisation_id, phone_encrypted, phone_index, language, discreet,
                             created_at, last_seen_at, network_count)
        VALUES (:organisation_id, :phone_encrypted, :phone_index, :language, false,
                :now, :now, 0)
        ON CONFLICT (organisation_id, phone_index) DO NOTHING
        RETURNING id
    ), counted AS (
        INSERT INTO reach_tally (organisation_id, month, network_id, site_id, channel, measure,
                                 count)
        SELECT :organisation_id, :month, 0, 0, :channel, :measure, 1 FROM made
        ON CONFLICT (organisation_id, month, network_id, site_id, channel, measure)
        DO UPDATE SET count = reach_tally.count + excluded.count
    ), claimed AS (
        INSERT INTO inbound_message (message_sid, organisation_id, contact_id, received_at,
                                     command, segments, replies_encrypted, body_encrypted)
        SELECT :message_sid, :organisation_id, made.id, :now, :command, :segments,
               :replies_encrypted, :body_encrypted FROM made
        ON CONFLICT (message_sid) DO NOTHING
        RETURNING id
    )
    SELECT made.id, claimed.id FROM made LEFT JOIN claimed ON true
    """
    ).bindparams(
        bindparam("organisation_id", type_=Integer()),
        bindparam("phone_encrypted", type_=Text()),
        bindparam("phone_index", type_=String()),
        bindparam("language", type_=String()),
        bindparam("now", type_=UTCDateTime()),
        bindparam("month", type_=Date()),
        bindparam("channel", type_=String()),
        bindparam("measure", type_=String()),
        bindparam("message_sid", type_=String()),
        bindparam("command", type_=String()),
        bindparam("segments", type_=Integer()),
        bindparam("replies_encrypted", type_=Text()),
        bindparam("body_encrypted", type_=Text()),
    )
)
_SQLITE_CONTACT = Prepared(
    text(
        """
    INSERT INTO contact (organisation_id, phone_encrypted, phone_index, language, discreet,
                         created_at, last_seen_at, network_count)
    VALUES (:organisation_id, :phone_encrypted, :phone_index, :language, 0, :now, :now, 0)
    ON CONFLICT (organisation_id, phone_index) DO NOTHING
    RETURNING id
    """
    ).bindparams(bindparam("now", type_=UTCDateTime()))
)
_inbound = InboundMessage.__table__
_CLAIM = Prepared(
    sqlite_insert(_inbound)
    .on_conflict_do_nothing(index_elements=["message_sid"])
    .returning(_inbound.c.id)
)


def write(
    session: Session,
    organisation: Organisation,
    *,
    phone_encrypted: str,
    phone_index: str,
    language: str,
    now: dt.datetime,
    record: dict,
) -> Written | None:
    """Make the contact, count the person and write the answered inbound row; None: not made.

    record: the inbound row's values but its contact (service.sms.operations._record's).
    Counted as count_person counts a new contact: one person this month, by SMS, no site.
    """
    contact = {
        "organisation_id": organisation.id,
        "phone_encrypted": phone_encrypted,
        "phone_index": phone_index,
        "language": language,
        "now": now,
    }
    if session.get_bind().dialect.name == "postgresql":
        row = _POSTGRESQL.first(
            session,
            {
                **contact,
                "month": month_of(organisation, now),
                "channel": CHANNEL,
                "measure": PERSON,
                "message_sid": record["message_sid"],
                "command": record["command"],
                "segments": record["segments"],
                "replies_encrypted": record["replies_encrypted"],
                "body_encrypted": record["body_encrypted"],
            },
        )
        return None if row is None else Written(row[0], row[1])
    made = _SQLITE_CONTACT.first(session, contact)
    if made is None:
        return None
    count_reach(session, organisation.id, measure=PERSON, channel=CHANNEL, at=now)
    claimed = _CLAIM.first(session, {**record, "contact_id": made[0]})
    return Written(made[0], None if claimed is None else claimed[0])
