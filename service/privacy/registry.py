"""What each package holds about a person, declared by the package whose rows they are.

Erasure, the counts shown before it, the subject access export, retention, key rotation and the
deletions owed at Twilio are privacy's work, but the rows belong to every package, the SMS and
voice channels' included. The core never imports a channel, so a channel declares its rows as
a `Holder` and the app registers it with the data model (service/models.py); privacy walks the
registered holders beside the core's own rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, Table
from sqlalchemy.orm import Session

from service.contacts.models import Contact
from service.crypto import Vault


@dataclass(frozen=True)
class Holding:
    """One kind of row held about a contact, and how many there are."""

    kind: str
    label: str
    count: int


@dataclass(frozen=True)
class Rule:
    """One kind of row, the setting that says how long it is kept, and when its clock starts."""

    name: str
    setting: str
    what: str
    model: Any
    # The moment the retention period counts from.
    since: Callable[[], ColumnElement[Any]]
    # Further conditions: rows still in use are never purged, however old.
    only: Callable[[dt.datetime], list[ColumnElement[bool]]] = lambda _now: []


@dataclass(frozen=True)
class Target:
    """One table's ciphertext column, and optionally a keyed index derived from its value."""

    table: Table
    column: str
    index_column: str | None = None
    # Which rows share an index (the unique constraint's other columns), for duplicates.
    index_scope: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """How the report names it, e.g. contact.phone_encrypted."""
        return f"{self.table.name}.{self.column}"


@dataclass(frozen=True)
class Holder:
    """One package's rows about people: how to count, export and erase them, and keep them."""

    name: str
    # Deletes or unlinks the contact's rows, inside the erasing transaction.
    erase: Callable[[Session, Contact], None]
    # How many rows of each kind are held about the contact.
    holdings: Callable[[Session, Contact], list[Holding]]
    # The contact's rows, decrypted, as JSON-ready sections of the subject access export.
    export: Callable[[Session, Contact, Vault], dict[str, Any]]
    # Queries for each record at Twilio the rows name (columns `kind` and `sid`): erasure
    # deletes them there too, reading every holder's in one statement with the core's.
    twilio_records: Callable[[Contact], tuple[Select[Any], ...]]
    # How long the rows are kept, and which columns hold ciphertext (for key rotation).
    retention: tuple[Rule, ...] = ()
    encrypted: tuple[Target, ...] = ()


def stamp(moment: dt.datetime | None) -> str | None:
    """A moment as the export writes it (ISO 8601), or None."""
    return moment.isoformat() if moment is not None else None


_holders: dict[str, Holder] = {}


def register(*holders: Holder) -> None:
    """Add packages' holders; registering one again (a second app) changes nothing."""
    for holder in holders:
        _holders[holder.name] = holder


def holders() -> tuple[Holder, ...]:
    """Every registered holder, in the order registered."""
    return tuple(_holders.values())
