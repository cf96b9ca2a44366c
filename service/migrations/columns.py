"""The columns migrations are written with: a name, a stored type, NULL or not, what it references.

Every migration spells its columns with these instead of `sa.Column(...)` lines, so a table reads
as a list of what it holds. Nothing here imports the application's models: a migration means what
it meant when it was written, whatever the models become. Only the stored format of a moment is
shared with the application (service.db.UTCDateTime: naive UTC in a DATETIME/TIMESTAMP column).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement, TextClause

from service.db import UTCDateTime

CASCADE = "CASCADE"
SET_NULL = "SET NULL"

# A server default as Alembic takes it: a literal, or an SQL expression such as sa.false().
Default = str | TextClause | ColumnElement[Any] | None


@dataclass(frozen=True)
class Col:
    """One column: NOT NULL unless made optional; holds another table's id when `refers` is set."""

    name: str
    type: sa.types.TypeEngine[Any]
    nullable: bool = False
    refers: str | None = None
    ondelete: str | None = None
    default: Default = None

    def column(self) -> sa.Column[Any]:
        """The SQLAlchemy column (the table, not the column, carries its foreign key)."""
        if self.default is None:
            return sa.Column(self.name, self.type, nullable=self.nullable)
        return sa.Column(self.name, self.type, server_default=self.default, nullable=self.nullable)


def optional(col: Col) -> Col:
    """The same column, allowing NULL."""
    return dataclasses.replace(col, nullable=True)


def defaulting(col: Col, default: Default) -> Col:
    """The same column with a server default, so rows that exist when it is added get a value."""
    return dataclasses.replace(col, default=default)


def integer(name: str) -> Col:
    """An integer."""
    return Col(name, sa.Integer())


def text(name: str) -> Col:
    """Unbounded text (every encrypted value too: the vault's tokens are text)."""
    return Col(name, sa.Text())


def string(name: str, length: int) -> Col:
    """A VARCHAR of the given length."""
    return Col(name, sa.String(length=length))


def flag(name: str) -> Col:
    """A boolean."""
    return Col(name, sa.Boolean())


def when(name: str) -> Col:
    """A moment, stored as naive UTC."""
    return Col(name, UTCDateTime())


def day(name: str) -> Col:
    """A calendar date."""
    return Col(name, sa.Date())


def json(name: str) -> Col:
    """A JSON document (lists of ids, pending conversation payloads)."""
    return Col(name, sa.JSON())


def number(prefix: str) -> tuple[Col, Col]:
    """A phone number as the vault keeps it: <prefix>_encrypted, and <prefix>_index to find it by.

    The index is a keyed hash (64 hex characters), so equal numbers match without decrypting.
    """
    return text(f"{prefix}_encrypted"), string(f"{prefix}_index", 64)


def ref(column: str | Col, table: str, ondelete: str = CASCADE) -> Col:
    """A column holding table.id: an integer, unless given as a column of its own type.

    A SET NULL reference allows NULL by its nature.
    """
    col = integer(column) if isinstance(column, str) else column
    return dataclasses.replace(
        col, nullable=col.nullable or ondelete == SET_NULL, refers=table, ondelete=ondelete
    )


def org() -> Col:
    """The owning organisation, whose deletion takes the row with it."""
    return ref("organisation_id", "organisation")
