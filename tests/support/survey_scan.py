"""What someone holding the database and DATA_KEY could link: a person to survey answers.

The scan reads every row of every table, decrypting whatever DATA_KEY decrypts, and reports
each link it can make between a person (a contact id, number, blind index, message or call
SID) and an answer. It is the attacker the anonymity tests are written against.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.contacts.models import Contact
from service.crypto import Vault
from service.models import Base
from service.sms.models import InboundMessage
from service.surveys.models import Survey, SurveyToken
from service.surveys.taking import TOKEN_PURPOSE, identity_of_number
from service.verification.models import CallerCheck
from service.voice.models import VoiceCall

ANSWER_TABLES = ("survey_response", "survey_answer", "survey_recording")


@dataclass(frozen=True)
class Person:
    """Everything that could name one person in a table."""

    contact_id: int
    number: str
    markers: frozenset[str]  # number, blind indexes, ciphertext, message and call SIDs


def _readable(vault: Vault, value: object) -> list[str]:
    if value is None:
        return []
    text = str(value)
    out = [text]
    with contextlib.suppress(Exception):  # not ciphertext under DATA_KEY: the text is all
        out.append(vault.decrypt(text))
    return out


def every_value(session: Session, vault: Vault) -> Iterator[tuple[str, str, dict, str]]:
    """(table, column, row, value as readable) for every value in the database."""
    for table in Base.metadata.sorted_tables:
        for row in session.execute(select(table)).mappings():
            for column, value in row.items():
                for readable in _readable(vault, value):
                    yield table.name, column, dict(row), readable


def people(session: Session, vault: Vault) -> list[Person]:
    """Every contact, with every marker that could stand for them."""
    found = []
    for contact in session.scalars(select(Contact)):
        number = vault.decrypt(contact.phone_encrypted)
        sids = set(
            session.scalars(
                select(InboundMessage.message_sid).where(InboundMessage.contact_id == contact.id)
            )
        )
        sids |= set(
            session.scalars(select(VoiceCall.call_sid).where(VoiceCall.contact_id == contact.id))
        )
        # A caller who proved their number on a call (as a survey by phone asks) left its SID.
        sids |= set(
            session.scalars(
                select(CallerCheck.call_sid).where(CallerCheck.contact_id == contact.id)
            )
        )
        markers = {number, contact.phone_encrypted, *vault.blind_indexes(number), *sids}
        found.append(Person(contact.id, number, frozenset(m for m in markers if m)))
    return found


def links(session: Session, vault: Vault) -> set[tuple[str, str]]:
    """(number, how) for each person the scan can tie to an answer given or being given."""
    session.flush()
    everyone = people(session, vault)
    found: set[tuple[str, str]] = set()
    answer_ids: set[str] = set()
    for table, column, row, value in every_value(session, vault):
        if table not in ANSWER_TABLES:
            continue
        answer_ids.add(str(row["id"]))
        for person in everyone:
            if column == "contact_id" and value == str(person.contact_id):
                found.add((person.number, f"{table}.contact_id"))
            if any(marker in value for marker in person.markers):
                found.add((person.number, f"{table}.{column}"))
    # Any other row that names an answer, beside anything that names a person.
    for table, column, row, value in every_value(session, vault):
        if table in ANSWER_TABLES or not any(i in value for i in answer_ids):
            continue
        text = " ".join(" ".join(_readable(vault, v)) for v in row.values())
        for person in everyone:
            if str(row.get("contact_id")) == str(person.contact_id) or any(
                marker in text for marker in person.markers
            ):
                found.add((person.number, f"{table}.{column} names an answer"))
    # Tokens: recomputed from each number under each survey key still held.
    for survey in session.scalars(select(Survey)):
        if survey.token_key_encrypted is None:
            continue
        key = vault.decrypt_bytes(survey.token_key_encrypted)
        for person in everyone:
            identity = identity_of_number(person.number).encode()
            token = hmac.new(key, TOKEN_PURPOSE + identity, hashlib.sha256).hexdigest()
            row = session.get(SurveyToken, token)
            if row is not None and row.progress_encrypted is not None:
                found.add((person.number, "survey_token answers in progress"))
    return found
