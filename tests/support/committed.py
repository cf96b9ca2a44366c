"""An app whose requests commit for real, for the tests of requests racing on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from service import create_app
from service.db import Base, get_database
from service.demo import load_demo


@pytest.fixture
def committed_app(config, engine: Engine):
    """An app whose requests commit for real (not the rolled-back test transaction)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("parallel requests need PostgreSQL (FRONTLINE_TEST_DATABASE_URL)")
    application = create_app(config)
    get_database(application).queue = lambda ids: None  # texts are written, never sent
    with application.app_context(), get_database(application).session() as session:
        load_demo(session)
    yield application
    # Every other test rolls back; this one committed, so it leaves the tables as it found them.
    # (It never asks for `demo`, so this is the run's own database, not the shared demo one.)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    get_database(application).dispose()
