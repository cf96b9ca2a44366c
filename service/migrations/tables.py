"""Tables and column changes as migrations state them, turned into Alembic operations.

A migration lists the tables it creates (`table(...)`) and the columns it adds; `create` and
`drop`, `add_columns` and `drop_columns` issue the same operations a hand-written migration would,
in the same order and with the same constraint names, so the downgrade is the upgrade's mirror
by construction. Names are spelled out here (as the application's naming convention spells them)
rather than taken from the application's metadata: a migration must not change when it does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from alembic import op
from sqlalchemy.sql.schema import SchemaItem

from service.migrations.columns import Col, integer

# An index: a column name (ix_<table>_<column>), or a name followed by its columns.
Index = str | tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table as a migration creates it: columns in order, key, unique sets and indexes."""

    name: str
    columns: tuple[Col, ...]
    primary: str
    unique: tuple[tuple[str, ...], ...]
    indexes: tuple[Index, ...]

    def items(self) -> list[SchemaItem]:
        """Columns, primary key, foreign keys (by column name), unique constraints, in order.

        The order is the one Alembic's autogenerate wrote, which SQLite keeps in its schema.
        """
        items: list[SchemaItem] = [c.column() for c in self.columns]
        items.append(sa.PrimaryKeyConstraint(self.primary, name=op.f(f"pk_{self.name}")))
        for c in sorted(self.columns, key=lambda c: c.name):
            if c.refers is not None:
                name = op.f(f"fk_{self.name}_{c.name}_{c.refers}")
                items.append(
                    sa.ForeignKeyConstraint(
                        [c.name], [f"{c.refers}.id"], name=name, ondelete=c.ondelete
                    )
                )
        for columns in self.unique:
            name = op.f(f"uq_{self.name}_{'_'.join(columns)}")
            items.append(sa.UniqueConstraint(*columns, name=name))
        return items

    def index_columns(self) -> list[tuple[str, list[str]]]:
        """Each index's name and columns, in the order they are made."""
        return [
            (f"ix_{self.name}_{i}", [i]) if isinstance(i, str) else (i[0], list(i[1:]))
            for i in self.indexes
        ]


def table(
    name: str,
    *columns: Col,
    primary: str = "id",
    unique: Sequence[Sequence[str]] = (),
    indexes: Sequence[Index] = (),
) -> Table:
    """A table to create; it starts with an integer `id` key unless a column of its own is named."""
    if primary == "id" and all(c.name != "id" for c in columns):
        columns = (integer("id"), *columns)
    return Table(name, columns, primary, tuple(tuple(u) for u in unique), tuple(indexes))


def create(*tables: Table) -> None:
    """Create the tables in order, each followed by its indexes."""
    for t in tables:
        op.create_table(t.name, *t.items())
        for name, columns in t.index_columns():
            op.create_index(op.f(name), t.name, columns, unique=False)


def drop(*tables: Table) -> None:
    """Drop the tables, last first (each table's indexes go with it)."""
    for t in reversed(tables):
        op.drop_table(t.name)


def alter_columns(table_name: str, add: Sequence[Col] = (), drop: Sequence[Col] = ()) -> None:
    """Add columns, then drop others (last first), in one batch.

    On SQLite a batch is plain ALTER TABLE ... ADD COLUMN unless a column's default is an SQL
    expression or anything is dropped: then it rebuilds the table, and a rebuild drops the old
    table, deleting the rows of tables that reference it ON DELETE CASCADE once foreign keys are
    on. Tables others reference change with add_in_place and drop_in_place instead.
    """
    with op.batch_alter_table(table_name) as batch_op:
        for c in add:
            batch_op.add_column(c.column())
        for c in reversed(drop):
            batch_op.drop_column(c.name)


def add_columns(table_name: str, *columns: Col) -> None:
    """Add the columns in one batch (see alter_columns)."""
    alter_columns(table_name, add=columns)


def drop_columns(table_name: str, *columns: Col) -> None:
    """Drop the columns in one batch, last first (see alter_columns: on SQLite, a rebuild)."""
    alter_columns(table_name, drop=columns)


def add_in_place(table_name: str, *columns: Col) -> None:
    """Add the columns with plain ALTER TABLE ... ADD COLUMN: never a rebuild."""
    for c in columns:
        op.add_column(table_name, c.column())


def drop_in_place(table_name: str, *columns: Col) -> None:
    """Drop the columns, last first, with ALTER TABLE ... DROP COLUMN (SQLite 3.35+): no rebuild."""
    for c in reversed(columns):
        op.drop_column(table_name, c.name)
