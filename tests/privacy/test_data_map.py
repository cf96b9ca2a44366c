"""The data map covers every column of every model, and docs/data-map.md is up to date."""

from __future__ import annotations

from pathlib import Path

from service.cli import cli
from service.privacy import datamap
from service.privacy.mapdoc import render
from service.privacy.retention import rules

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-map.md"


def test_every_column_is_either_personal_or_said_not_to_be():
    # A failure names the columns: add each to PERSONAL or NOT_PERSONAL in
    # service/privacy/datamap.py, then run `frontline data-map`.
    assert datamap.uncovered() == []


def test_a_new_column_is_caught(monkeypatch):
    real = datamap.tables()
    grown = {**real, "contact": [*real["contact"], "nickname"], "new_table": ["id"]}
    monkeypatch.setattr(datamap, "tables", lambda: grown)
    assert datamap.uncovered() == ["contact.nickname", "new_table.id"]


def test_every_table_with_personal_data_says_how_long_it_is_kept():
    purged = {rule.model.__tablename__ for rule in rules()}
    personal = {key.split(".")[0] for key in datamap.PERSONAL}
    assert personal - purged - set(datamap.KEPT) == set()


def test_the_document_is_what_the_command_writes_now(app, tmp_path):
    # A failure means the models or the map changed: run `frontline data-map` and commit it.
    assert DOC.read_text() == render()
    written = tmp_path / "map.md"
    result = app.test_cli_runner().invoke(cli, ["data-map", "-o", str(written)])
    assert result.exit_code == 0, result.output
    assert written.read_text() == render()
