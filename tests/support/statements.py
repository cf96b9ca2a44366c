"""What the service sends the database while a block runs, seen through the test's connection."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import event

from service.db import get_session


@contextmanager
def watching(connection, seen: Callable[[str, object, bool], None]) -> Iterator[None]:
    """Call seen(statement, parameters, executemany) for each statement sent in the block."""

    def before(conn, cursor, statement, parameters, context, executemany) -> None:
        seen(statement, parameters, executemany)

    get_session().expunge_all()  # a request starts with a fresh session, as in production
    event.listen(connection, "before_cursor_execute", before)
    try:
        yield
    finally:
        event.remove(connection, "before_cursor_execute", before)
