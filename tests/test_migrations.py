"""Migrations: head matches the models, and every step upgrades and downgrades cleanly."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command as alembic_command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url

from service.db import make_engine
from service.migrations import alembic_config
from service.models import Base


@pytest.fixture
def empty_engine(tmp_path: Path) -> Iterator[Engine]:
    """A database of its own, so migrating it cannot disturb the shared test schema."""
    base = os.environ.get("FRONTLINE_TEST_DATABASE_URL")
    if not base:
        eng = make_engine(f"sqlite:///{tmp_path / 'migrations.db'}")
        yield eng
        eng.dispose()
        return
    name = f"migrations_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    eng = make_engine(make_url(base).set(database=name).render_as_string(hide_password=False))
    try:
        yield eng
    finally:
        eng.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _migrate(engine: Engine, direction: str, revision: str) -> None:
    url = engine.url.render_as_string(hide_password=False)
    with engine.begin() as conn:
        getattr(alembic_command, direction)(alembic_config(url, conn), revision)


def _schema(engine: Engine) -> dict[str, object]:
    inspector = inspect(engine)
    return {
        table: (
            sorted(
                (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
            ),
            sorted(str(i["name"]) for i in inspector.get_indexes(table)),
            sorted(str(u["name"]) for u in inspector.get_unique_constraints(table)),
            sorted(str(f["name"]) for f in inspector.get_foreign_keys(table)),
        )
        for table in sorted(inspector.get_table_names())
        if table != "alembic_version"
    }


def test_head_matches_the_models(empty_engine: Engine) -> None:
    _migrate(empty_engine, "upgrade", "head")
    with empty_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


@pytest.mark.slow  # every migration down and up again; make test keeps the head check
def test_every_migration_upgrades_and_downgrades(empty_engine: Engine) -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    assert revisions, "no migrations found"
    for revision in revisions:
        _migrate(empty_engine, "upgrade", revision)
        before = _schema(empty_engine)
        _migrate(empty_engine, "downgrade", "-1")
        _migrate(empty_engine, "upgrade", revision)
        assert _schema(empty_engine) == before, f"round trip of {revision} changed the schema"
    _migrate(empty_engine, "downgrade", "base")
    assert _schema(empty_engine) == {}
