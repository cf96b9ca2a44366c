"""Statements compiled once (service.db.Prepared, DriverRead) are kept per driver and style."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, select
from sqlalchemy.dialects.postgresql import pg8000, psycopg

from service.db import DriverRead, Prepared

_table = Table("thing", MetaData(), Column("id", Integer, primary_key=True), Column("name", String))
_statement = select(_table.c.name).where(_table.c.id == bindparam("id"))


def test_two_postgresql_drivers_each_get_their_own_parameter_style() -> None:
    # Both are "postgresql": keyed by that name alone, the second took the first's SQL and
    # bound "%(id)s" where pg8000 expects "%s" (or the reverse), a broken statement at run time.
    first, second = psycopg.dialect(), pg8000.dialect()
    prepared = Prepared(_statement)
    assert "%(id)s" in prepared._form(first, ()).sql
    assert "%s" in prepared._form(second, ()).sql and "%(id)s" not in prepared._form(second, ()).sql
    read = DriverRead(_statement)
    assert "%(id)s" in read._prepare(first)[0]
    assert "%(id)s" not in read._prepare(second)[0]


def test_an_engines_own_parameter_style_is_its_own_form() -> None:
    usual, named = psycopg.dialect(), psycopg.dialect(paramstyle="named")
    prepared = Prepared(_statement)
    assert "%(id)s" in prepared._form(usual, ()).sql
    assert ":id" in prepared._form(named, ()).sql
    read = DriverRead(_statement)
    assert "%(id)s" in read._prepare(usual)[0]
    assert ":id" in read._prepare(named)[0]
