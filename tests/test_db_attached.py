"""service.db.attached: a row read by Core joins the session as the ORM would have loaded it."""

from __future__ import annotations

from sqlalchemy import inspect, select

from service.db import attached
from service.organisations.models import Organisation


def _state(instance) -> tuple:
    state = inspect(instance)
    return (
        state.persistent,
        state.modified,
        set(state.dict),
        set(state.expired_attributes),
        state.unloaded,
        dict(state.committed_state),
    )


def _row(session, organisation_id: int, *, without: str | None = None) -> dict:
    table = Organisation.__table__
    row = session.execute(select(*table.c).where(table.c.id == organisation_id)).one()
    return {key: value for key, value in row._asdict().items() if key != without}


def test_a_whole_row_is_as_the_orm_loads_it(session, demo) -> None:
    row = _row(session, demo.id)
    session.expunge_all()
    loaded = session.get(Organisation, demo.id)
    expected = _state(loaded)
    session.expunge_all()
    made = attached(session, Organisation, row)
    assert _state(made) == expected
    assert attached(session, Organisation, row) is made  # the session's own, once
    assert [n.e164 for n in made.numbers] == ["+441134960000"]  # relationships load on use
    assert not session.dirty


def test_a_column_the_row_left_out_loads_on_first_use(session, demo) -> None:
    row = _row(session, demo.id, without="name")
    session.expunge_all()
    made = attached(session, Organisation, row)
    assert "name" in inspect(made).expired_attributes
    assert made.name == demo.name
    assert not session.dirty
