"""Alembic migrations, driven programmatically by `frontline db`."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config as AlembicConfig
from sqlalchemy.engine import Connection

HERE = Path(__file__).resolve().parent


def alembic_config(url: str, connection: Connection | None = None) -> AlembicConfig:
    """An Alembic configuration for a database URL (or an open connection, in tests)."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(HERE))
    # ConfigParser interpolation treats % specially; URLs may contain it when escaped.
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg
