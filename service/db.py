"""Engine and session setup: SQLite in WAL mode by default, PostgreSQL at scale."""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import JSON, DateTime, MetaData, Table, create_engine, event, exc, inspect, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import (
    DeclarativeBase,
    Session,
    configure_mappers,
    sessionmaker,
)
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import String, TypeDecorator

from service.crypto import SESSION_KEY as VAULT_KEY
from service.crypto import Vault

log = logging.getLogger(__name__)

# Session.info key of the callable that queues outbox ids (see service.outbox.operations).
QUEUE_KEY = "outbox.queue"
# Session.info key of the callable that deletes Twilio recordings (see service.privacy.recordings).
RECORDINGS_KEY = "recordings.delete"
# Session.info key of the callable that starts broadcasts' fan-outs (see service.broadcasts).
FAN_OUT_KEY = "broadcasts.fan_out"
# Session.info key of the callable that lends a read-first session its database's kept SQLite
# connection (Database.kept_connection), on a SQLite file only.
KEPT_KEY = "db.kept_connection"


def hand_over_after_commit(gathered: str, handler: str) -> None:
    """Once a session commits, hand info[gathered] to info[handler]; a rollback drops it."""

    @event.listens_for(Session, "after_commit")
    def _hand_over(session: Session) -> None:
        items = session.info.pop(gathered, [])
        handle = session.info.get(handler)
        if items and handle is not None:
            handle(items)

    @event.listens_for(Session, "after_soft_rollback")
    def _forget(session: Session, previous_transaction: object) -> None:
        if not session.in_transaction():
            session.info.pop(gathered, None)


def count_under_limit(session: Session, table: Table, key: str, limit: int, **row: object) -> bool:
    """Count one try under key in one atomic statement; False, counting nothing, at the limit.

    INSERT … ON CONFLICT DO UPDATE … WHERE count < limit RETURNING: concurrent tries queue on
    the row, and each sees the count the one before it left, so at most `limit` get through.
    table has a unique `key` and a `count`; row fills its other columns on the first try.
    """
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(table)
        .values(key=key, count=1, **row)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={"count": table.c.count + 1},
            where=table.c.count < limit,
        )
        .returning(table.c.count)
    )
    return session.execute(statement).first() is not None


EXTENSION_KEY = "frontline.db"
SQLITE_BUSY_TIMEOUT_MS = 5000
# Execution option of a session's connection whose SQLite reads run before its write lock (see
# read_first): without it every transaction takes the lock at its first statement.
READ_FIRST = "frontline_read_first"

# Explicit constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware datetimes in, aware UTC datetimes out; stored as naive UTC everywhere."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        """Convert to naive UTC for storage; naive input is a bug and is refused."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; the service stores only aware UTC times")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        """Mark stored times as UTC."""
        return None if value is None else value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    """Declarative base for every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar = {dt.datetime: UTCDateTime(), list[int]: JSON()}


_M = TypeVar("_M", bound=Base)


def attached(session: Session, model: type[_M], values: Mapping[str, Any]) -> _M:
    """The session's instance of a row read by Core (column key: value), as an ORM read makes it.

    On a hot path the ORM's loading costs several times the statement: a row read by Core and
    attached here is the same persistent, unchanged instance (relationships load on first use).
    An instance already in the session is returned as it is, as an ORM read would keep it.
    """
    mapper = inspect(model)
    if not mapper.configured:
        configure_mappers()  # as the ORM's first query or constructor would
    key = mapper.identity_key_from_primary_key([values[c.key] for c in mapper.primary_key])
    found = session.identity_map.get(key)
    if found is not None:
        return found
    instance = mapper.class_manager.new_instance()
    instance.__dict__.update(values)
    state = instance_state(instance)
    # make_transient_to_detached and Session.add, less what a row just read never needs (its
    # history reset, its identity recomputed, a cascade through relationships none loaded):
    # they cost several times the rest on every webhook. What was not read loads on first use.
    state.key = key
    unloaded, marks = _unloaded(mapper, tuple(values))
    if marks or mapper.class_manager.dispatch.expire:
        state._expire_attributes(state.dict, unloaded)
    session._update_impl(state)
    return instance


# Per model and the columns a row gave: the attributes left to load on first use, and whether
# marking them expired does anything (a column's loader needs the mark; a relationship's own
# loader does not, and an instance with none to mark is as an ORM read leaves it).
_UNLOADED: dict[tuple[Any, tuple[str, ...]], tuple[tuple[str, ...], bool]] = {}


def _unloaded(mapper: Any, read: tuple[str, ...]) -> tuple[tuple[str, ...], bool]:
    found = _UNLOADED.get((mapper, read))
    if found is None:
        manager = mapper.class_manager
        rest = tuple(name for name in manager if name not in read)
        marks = any(manager[name].impl.accepts_scalar_loader for name in rest)
        found = _UNLOADED[(mapper, read)] = (rest, marks)
    return found


class RowVersion(ColumnElement[str]):
    """A row's version as text: PostgreSQL's xmin, new with every update of the row; else NULL.

    A statement that wrote from what a request read earlier checks it (the row as read, or
    nothing): any change to the row since, committed or waited for, gives it another version.
    """

    __visit_name__ = "row_version"
    inherit_cache = True
    _traverse_internals: ClassVar = [("table", InternalTraversal.dp_clauseelement)]
    type = String()

    def __init__(self, table: Table) -> None:
        self.table = table


@compiles(RowVersion)
def _no_row_version(element: RowVersion, compiler: Any, **kw: Any) -> str:
    return "NULL"


@compiles(RowVersion, "postgresql")
def _xmin(element: RowVersion, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.preparer.format_table(element.table)}.xmin AS TEXT)"


def utcnow() -> dt.datetime:
    """The current time, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


PG_CONNECT_TIMEOUT_SECONDS = 3
PG_POOL_WAIT_SECONDS = 5


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for the URL, with SQLite tuned for several processes sharing one file."""
    parsed = make_url(url)
    # Errors and logs must never quote a statement's values: they can be blind indexes,
    # ciphertexts or a code a member is typing.
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        kwargs["connect_args"] = {"factory": TurnTakingConnection, **kwargs["connect_args"]}
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "checkin", _sqlite_end_failed_transaction)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        event.listen(engine, "before_cursor_execute", _sqlite_lock_before_writing)
        return engine
    # A connection idle a while is pinged before use (_ping_if_idle), so service resumes by
    # itself once the database is back; an unreachable host fails in seconds (the request
    # answers 503) instead of hanging until Twilio gives up, and a request waits at most
    # PG_POOL_WAIT_SECONDS for a free one.
    kwargs.setdefault("pool_timeout", PG_POOL_WAIT_SECONDS)
    kwargs.setdefault("connect_args", {"connect_timeout": PG_CONNECT_TIMEOUT_SECONDS})
    engine = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        event.listen(engine, "connect", _note_idle_since)
        event.listen(engine, "checkin", _note_idle_since)
        event.listen(
            engine, "checkout", lambda dbapi, record, _proxy: _ping_if_idle(engine, dbapi, record)
        )
    return engine


# A connection back in the pool for less than this is taken as alive without a ping. Under
# load a web process's connection is idle for milliseconds, and pinging it before each request
# cost one round trip in nine of every webhook. A restarted database has been away longer than
# this, so its old connections are pinged; and a statement that meets a dead connection has
# the pool discard every connection made before it (the request answers 503, Twilio retries).
PG_PING_AFTER_IDLE_SECONDS = 1.0
_IDLE_SINCE = "frontline.idle_since"


def _note_idle_since(_dbapi_connection: Any, record: Any) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(engine: Engine, dbapi_connection: Any, record: Any) -> None:
    # pool_pre_ping's check, for a connection that has been idle a while.
    idle_since = record.info.get(_IDLE_SINCE)
    if idle_since is not None and time.monotonic() - idle_since < PG_PING_AFTER_IDLE_SECONDS:
        return
    try:
        engine.dialect.do_ping(dbapi_connection)
    except Exception as error:
        # The pool discards this connection and checks out another, or connects afresh.
        raise exc.DisconnectionError("the connection did not answer a ping") from error


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy own transactions instead of the sqlite3 module's implicit ones.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_end_failed_transaction(dbapi_connection: Any, _record: Any) -> None:
    # A COMMIT that failed (disk full, an I/O error) leaves the driver in SQLite's transaction
    # while SQLAlchemy counts it ended, and the pool then skips its rollback: back in the pool,
    # the connection held the write lock (every other process's writes waited, then failed),
    # and its next user's commit kept the failed request's writes.
    if dbapi_connection is not None and dbapi_connection.in_transaction:
        dbapi_connection.rollback()
    # And a writer's turn still held by a connection no longer writing (its transaction ended
    # some way other than the driver's commit or rollback) is given back before its next use.
    _end_turn(dbapi_connection)


def _no_autocheckpoint(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")


# How often a web process's checkpointer copies the WAL's new pages into the database file.
SQLITE_CHECKPOINT_SECONDS = 0.2


class SqliteCheckpointer(threading.Thread):
    """Copies committed pages from SQLite's WAL into the database file, every so often.

    SQLite checkpoints by itself in whichever connection's commit takes the WAL past 1,000
    pages, and that request then waits for the copy and two fsyncs (on the bench, 3-7% of the
    machine's time was iowait in web processes, on the request path). A web process given one
    of these (service.gunicorn_conf) commits without checkpointing, and this thread, on its own
    connection, checkpoints passively: it never waits for a lock or blocks a writer, the GIL is
    released while SQLite works, and what it cannot copy now (a reader still needs the old
    pages) it copies on a later turn, as SQLite's own would.
    """

    def __init__(self, path: str, every: float = SQLITE_CHECKPOINT_SECONDS) -> None:
        super().__init__(name="sqlite-checkpoint", daemon=True)
        self.path = path
        self.every = every
        self.stopped = threading.Event()
        # The last turn's (pages in the WAL, pages copied), for tests and a debugger.
        self.last: tuple[int, int] | None = None
        self._connection: sqlite3.Connection | None = None

    def checkpoint(self) -> tuple[int, int]:
        """One passive checkpoint now: (pages in the WAL, pages of it now in the database)."""
        if self._connection is None:
            # timeout=0: a checkpoint another process is running now is simply not waited for.
            self._connection = sqlite3.connect(
                self.path, isolation_level=None, timeout=0, check_same_thread=False
            )
        _busy, wal_pages, copied = self._connection.execute(
            "PRAGMA wal_checkpoint(PASSIVE)"
        ).fetchone()
        return wal_pages, copied

    def run(self) -> None:
        """Checkpoint every `every` seconds until stopped."""
        while not self.stopped.wait(self.every):
            try:
                self.last = self.checkpoint()
            except sqlite3.OperationalError:
                pass  # busy: another process is checkpointing; the next turn goes on
            except sqlite3.Error as error:  # pragma: no cover - reported, and tried again
                log.warning("sqlite checkpoint failed: %s", error)
        if self._connection is not None:
            self._connection.close()

    def stop(self) -> None:
        """Stop after the checkpoint in hand, if any."""
        self.stopped.set()


# How often a writer waiting for its turn (TurnTakingConnection) looks whether it has come.
SQLITE_TURN_POLL_SECONDS = 0.0005


class TurnTakingConnection(sqlite3.Connection):
    """A SQLite connection whose writers take turns on a lock file before SQLite's write lock.

    A writer that finds SQLite's lock taken waits in SQLite's busy handler, which sleeps 1, 2,
    5, 10, 15, 20, 25… ms between looks: one that just missed a 3 ms commit wakes at 8 ms.
    With four web processes on two cores (production's gunicorn), JOIN + YES at 400 r/s
    waited up to 80-333 ms for the lock (15-28 ms taking turns). Writers take a turn: a flock on
    `<database>-writers`, held from BEGIN IMMEDIATE until the transaction ends (its COMMIT or
    ROLLBACK done), looked at every SQLITE_TURN_POLL_SECONDS while another holds it. SQLite's
    lock still guards the data: a writer that takes no turn (the sqlite3 shell, another
    program) is waited for as before. The kernel drops the flock of a process that dies (a child
    it forked closes its copy of the lock file at once, so as not to keep the turn). A turn
    not had within the busy timeout is "database is locked", as SQLite's own wait ends.
    """

    def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        name = os.fsdecode(database) if isinstance(database, str | bytes | os.PathLike) else ""
        # In memory, or a URI (its path is not the name given): one process, nothing to queue.
        queued = name not in ("", ":memory:") and not name.startswith("file:")
        self._turns_path = f"{name}-writers" if queued else None
        self._turns: int | None = None  # the lock file, opened on first use
        self._turns_pid = 0  # the process that opened it: a forked child opens its own
        self._has_turn = False

    def take_turn(self, timeout: float) -> None:
        """Wait until no other connection to this file is writing, at most timeout seconds."""
        if self._turns_pid != os.getpid():
            self._has_turn = False  # a turn a forked child inherited is its parent's
        if self._has_turn or self._turns_path is None:
            return
        turns = self._turns_file()
        if turns is None:
            return
        deadline = None
        while True:
            try:
                fcntl.flock(turns, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                now = time.monotonic()
                if deadline is None:
                    deadline = now + timeout
                elif now >= deadline:
                    raise sqlite3.OperationalError("database is locked") from None
                time.sleep(SQLITE_TURN_POLL_SECONDS)
            except OSError as error:
                # A file system without flock (some network mounts): SQLite's own wait serves.
                log.warning("sqlite writers wait without turns: %s", error.strerror)
                self._turns_path = None
                return
            else:
                self._has_turn = True
                return

    def end_turn(self) -> None:
        """Let the next writer in, unless this connection is still in its transaction."""
        if not self._has_turn:
            return
        try:
            writing = self.in_transaction
        except sqlite3.ProgrammingError:  # closed: no transaction left to finish
            writing = False
        if not writing:
            self._give_turn_back()

    def commit(self) -> None:
        """Commit, then end this writer's turn."""
        try:
            super().commit()
        finally:
            self.end_turn()  # after a COMMIT that failed, at the rollback that follows

    def rollback(self) -> None:
        """Roll back, then end this writer's turn."""
        try:
            super().rollback()
        finally:
            self.end_turn()

    def close(self) -> None:
        """Close, ending any turn and closing the lock file."""
        try:
            super().close()
        finally:
            if self._has_turn:
                self._give_turn_back()
            with _TURNS_OPENING:  # no fork between forgetting the descriptor and closing it
                turns, self._turns = self._turns, None
                _OPEN_TURNS.discard(self)
                if turns is not None and self._turns_pid == os.getpid():
                    os.close(turns)

    def __del__(self) -> None:
        # sqlite3 closes a connection collected unclosed without calling close(): its lock
        # file would stay open, and a turn it held be held for the rest of the process.
        # (Not contextlib.suppress: at interpreter exit module globals may already be None.)
        try:  # noqa: SIM105
            self.close()
        except Exception:  # noqa: S110
            pass

    def _give_turn_back(self) -> None:
        self._has_turn = False
        if self._turns is not None and self._turns_pid == os.getpid():
            fcntl.flock(self._turns, fcntl.LOCK_UN)

    def _turns_file(self) -> int | None:
        if self._turns is None or self._turns_pid != os.getpid():
            # A descriptor inherited across fork shares its flock with the parent's: the child
            # opens its own (and leaves the parent's alone).
            try:
                with _TURNS_OPENING:  # no fork between opening it and recording it
                    self._turns = os.open(self._turns_path or "", os.O_RDWR | os.O_CREAT, 0o600)
                    _OPEN_TURNS.add(self)
            except OSError as error:
                # A directory this process cannot write to: SQLite's own wait still serves.
                log.warning("sqlite writers wait without turns: %s", error.strerror)
                self._turns_path = self._turns = None
                return None
            self._turns_pid = os.getpid()
        return self._turns

    def _forget_inherited_turns(self) -> None:
        # In a forked child: its copy of the parent's lock file shares the parent's flock, and
        # would keep a turn the parent held held after the parent died, for as long as the
        # child lives. Closing the copy leaves the parent's own descriptor, and its turn, be.
        turns, self._turns = self._turns, None
        self._has_turn = False
        if turns is not None:
            os.close(turns)


# Every connection with its lock file open in this process, for a forked child to close. A
# descriptor is opened and recorded, or forgotten and closed, under _TURNS_OPENING, which a
# fork waits for: a child never inherits one unrecorded, nor closes a number reused since.
# (Reentrant: a connection collected while another opens its file closes under it.)
_OPEN_TURNS: weakref.WeakSet[TurnTakingConnection] = weakref.WeakSet()
_TURNS_OPENING = threading.RLock()


def _close_inherited_turns() -> None:
    try:
        for connection in list(_OPEN_TURNS):
            connection._forget_inherited_turns()
        _OPEN_TURNS.clear()
    finally:
        _TURNS_OPENING.release()


os.register_at_fork(
    before=_TURNS_OPENING.acquire,
    after_in_parent=_TURNS_OPENING.release,
    after_in_child=_close_inherited_turns,
)


def _take_turn(dbapi_connection: Any) -> None:
    take_turn = getattr(dbapi_connection, "take_turn", None)
    if take_turn is not None:
        take_turn(SQLITE_BUSY_TIMEOUT_MS / 1000)


def _end_turn(dbapi_connection: Any) -> None:
    end_turn = getattr(dbapi_connection, "end_turn", None)
    if end_turn is not None:
        end_turn()


def _sqlite_begin_immediate(connection: Any) -> None:
    # Taking the write lock up front avoids "database is locked" on read-then-write upgrades:
    # a deferred transaction that later writes cannot wait for the lock, an immediate one can.
    if not connection.get_execution_options().get(READ_FIRST):
        dbapi_connection = connection.connection.dbapi_connection
        try:
            _take_turn(dbapi_connection)
        except sqlite3.OperationalError as error:
            raise exc.OperationalError("BEGIN IMMEDIATE", None, error) from error
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _end_turn(dbapi_connection)
            raise


def _sqlite_lock_before_writing(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    # A read-first session reads in autocommit (each read sees the latest commit and holds no
    # lock); the first statement that is not a read takes the write lock for the rest.
    if not connection.get_execution_options().get(READ_FIRST):
        return
    if statement.lstrip()[:6].upper() not in ("SELECT", "PRAGMA"):
        _sqlite_take_write_lock(connection)


def _sqlite_take_write_lock(connection: Any) -> None:
    dbapi_connection = connection.connection.dbapi_connection
    if not dbapi_connection.in_transaction:
        try:
            _take_turn(dbapi_connection)
            dbapi_connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            _end_turn(dbapi_connection)
            # Raised as SQLAlchemy raises it at a transaction's start, so that a lock not had
            # within the busy timeout is answered "try again" (service.outage), not a 500.
            raise exc.OperationalError("BEGIN IMMEDIATE", None, error) from error


def read_first(session: Session) -> None:
    """Let this session's SQLite reads run before it takes the write lock (call before any query).

    SQLite has one writer at a time. A webhook that takes the lock at its first statement holds
    it while it parses, renders and counts segments, and every other web process queues behind
    it (in SQLite's busy handler, which sleeps in growing steps). Read-first, the lock is taken
    by begin_writes or by the first write, so it covers only the end of the request. Reads
    before it are not one snapshot: use it only where the writes that follow do not depend on
    reads being unchanged (or call begin_writes before such reads). PostgreSQL: no effect.
    """
    # Options apply only to a connection not yet procured (a session already in a transaction,
    # such as a test's, keeps the one it has).
    if session.get_bind().dialect.name == "sqlite" and not session.in_transaction():
        lend = session.info.get(KEPT_KEY)
        kept = lend(session) if lend is not None else None
        if kept is not None:
            # For this transaction only: the next one the session begins is an ordinary one.
            session.connection(bind_arguments={"bind": kept})
        else:
            session.connection(execution_options={READ_FIRST: True})


def in_write_lock(session: Session) -> bool:
    """Whether what the session reads now stays as read until it commits (SQLite: lock held)."""
    if session.get_bind().dialect.name != "sqlite":
        return True  # PostgreSQL's own row locks and constraints serialise what must be
    return bool(session.connection().connection.dbapi_connection.in_transaction)


def begin_writes(session: Session) -> None:
    """Take SQLite's write lock now if a read-first session has not yet (else: nothing to do)."""
    if session.get_bind().dialect.name == "sqlite":
        connection = session.connection()
        if connection.get_execution_options().get(READ_FIRST):
            _sqlite_take_write_lock(connection)


def on_one_core(session: Session) -> None:
    """For the rest of its transaction, this session's statements scan without parallel workers.

    Bulk work's counts (the purge's rows due, a fan-out's audience) read millions of rows, and
    PostgreSQL's planner sends two workers to scan beside the backend: all three processes took
    both cores of a two-core machine from the webhooks (EVENTS p99 7-15 times idle during the
    purge's count). A count taking twice as long on one core is nothing to a job of minutes.
    SQLite: no effect (it has no parallel scans).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))


class Database:
    """The engine and session factory of one app."""

    def __init__(
        self,
        url: str,
        vault: Vault,
        queue: Callable[[list[int]], None] | None = None,
        delete_recordings: Callable[[list[str]], None] | None = None,
        fan_out: Callable[[list[int]], None] | None = None,
    ) -> None:
        self.engine = make_engine(url)
        self.vault = vault
        self.queue = queue
        self.delete_recordings = delete_recordings
        self.fan_out = fan_out
        # The connection kept for read-first sessions (kept_connection) and the thread it
        # serves; made on first use, so never before gunicorn forks.
        self._kept: Connection | None = None
        self._kept_thread: int | None = None
        # Set by dispose() on another thread while a request had the kept connection: that
        # request's thread closes it as the request ends (reset_kept).
        self._kept_closing = False
        # The vault rides on every session so models can decrypt without reaching for the app,
        # and the queue so that outbox rows are handed to workers once their cause commits.
        self.sessionmaker = sessionmaker(
            self.engine, expire_on_commit=False, info=self.session_info()
        )

    def session_info(self) -> dict[str, object]:
        """What every session of this database carries in Session.info."""
        return {
            VAULT_KEY: self.vault,
            QUEUE_KEY: self.queue,
            RECORDINGS_KEY: self.delete_recordings,
            FAN_OUT_KEY: self.fan_out,
            KEPT_KEY: self.kept_connection if _sqlite_file(self.engine) else None,
        }

    def kept_connection(self, session: Session) -> Connection | None:
        """The SQLite connection kept checked out for this thread's read-first sessions, or None.

        Every webhook reads first, and a web process serves one request at a time (gunicorn's
        sync workers): checking a connection out of the pool for each, setting READ_FIRST on
        it and checking it back in cost 6% of an EVENTS text's CPU. This one stays checked
        out with the option set, lent to one session's transaction at a time; None (the pool,
        as before) for another thread, a session bound elsewhere (a test's transaction), or
        while it is lent or a failure left its transaction to be ended (reset_kept).
        """
        if session.bind is not self.engine:
            return None
        kept = self._kept
        if kept is None:
            # (Two threads asking first at once may each make one: the one not kept is
            # returned to the pool by the garbage collector once its session is done.)
            self._kept_thread = threading.get_ident()
            kept = self._kept = self.engine.connect().execution_options(**{READ_FIRST: True})
            return kept
        if (
            self._kept_thread != threading.get_ident()
            or kept.get_transaction() is not None
            or self._kept_closing
        ):
            return None
        return kept

    def reset_kept(self) -> None:
        """Give the kept connection back to the pool if the app context's work left it unclean.

        Called as each app context ends, its session closed. A failed commit, or a statement
        that found the connection broken, leaves it a transaction that is no longer active
        (after a failed commit, the driver still in SQLite's, holding the write lock): no
        session could begin on it again (nor on one a session left open). The pool's check-in
        rolls the driver back or discards a connection a disconnect invalidated, as it did
        after every request before; the next read-first session keeps another.
        """
        kept = self._kept
        if kept is None or self._kept_thread != threading.get_ident():
            return
        if kept.invalidated or kept.get_transaction() is not None or self._kept_closing:
            self._drop_kept()
        else:
            # Its transaction ended: so has any writer's turn (as the pool's check-in ensures).
            _end_turn(kept.connection.dbapi_connection)

    def _drop_kept(self) -> None:
        kept, self._kept = self._kept, None
        self._kept_closing = False
        if kept is not None:
            kept.close()  # back to its pool, whose check-in ends what a failure left open

    def dispose(self) -> None:
        """Close every pooled connection, and the kept one once no request is using it."""
        kept = self._kept
        if (
            kept is not None
            and self._kept_thread != threading.get_ident()
            and kept.get_transaction() is not None
        ):
            # A request on another thread is using it (a test server's last request as its
            # test ends): closed under a running statement, the sqlite3 driver crashed the
            # process. It is closed by that thread as its request ends, and lent no more.
            self._kept_closing = True
        else:
            self._drop_kept()
        self.engine.dispose()

    def checkpoint_in_background(self) -> SqliteCheckpointer | None:
        """Move SQLite's WAL checkpoints out of this process's requests, into a thread."""
        path = _sqlite_file(self.engine)
        if path is None:
            return None
        event.listen(self.engine, "connect", _no_autocheckpoint)
        # Connections made before this still checkpoint at their commits: made again.
        self.dispose()
        checkpointer = SqliteCheckpointer(path)
        checkpointer.start()
        return checkpointer

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for work outside a request: commits on success, rolls back on error."""
        session = self.sessionmaker()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def _sqlite_file(engine: Engine) -> str | None:
    """The path of the engine's SQLite file; None for another database or SQLite in memory."""
    path = engine.url.database
    if engine.dialect.name != "sqlite" or not path or path == ":memory:":
        return None
    return path


def init_app(app: Flask, database: Database) -> None:
    """Attach the database to the app and close the request session after each request."""
    app.extensions[EXTENSION_KEY] = database

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        discard_session()


def discard_session() -> None:
    """Close the current app context's session, if any; get_session makes a new one."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
        get_database().reset_kept()


def get_database(app: Flask | None = None) -> Database:
    """The Database of the given or current app."""
    return (app or current_app).extensions[EXTENSION_KEY]


# Requests that only show something: their sessions read first (read_first), so a page being
# rendered holds no write lock. A kiosk's service worker fetches every content page in every
# language at once; each took SQLite's lock at its first query and held it while it rendered,
# and a survey answer queued behind them past the busy timeout (a 503) on a loaded machine.
READING_METHODS = frozenset({"GET", "HEAD"})


def get_session() -> Session:
    """The session of the current app context, created on first use (read-first for a GET)."""
    if "db_session" not in g:
        session = get_database().sessionmaker()
        # A GET that writes (an audit row, say) still takes the lock, at its first write; its
        # reads before it are each up to date, as under PostgreSQL's READ COMMITTED.
        if has_request_context() and request.method in READING_METHODS:
            read_first(session)
        g.db_session = session
    return g.db_session


def dialect_key(dialect: Any) -> tuple[str, ...]:
    """What a statement compiled for this dialect depends on: its SQL, its parameters' style."""
    # Not the name alone: psycopg and psycopg2 (both "postgresql") bind differently, and an
    # engine may be made with a paramstyle of its own.
    return (dialect.name, dialect.driver, dialect.paramstyle)


# A DriverRead's SQL for one dialect, what makes its parameters, and its columns' converters.
_DriverForm = tuple[str, Callable[[Mapping[str, Any]], Any], tuple]


class DriverRead:
    """A Core SELECT compiled once per dialect and run on a DBAPI cursor: no unit of work.

    SQLAlchemy's execution of a statement (context, result, row processing) and an ORM session
    around it cost a voice menu step several times what the database does; a read that needs
    neither runs here on the driver. Its rows are as Core would return them (each column's
    type converts its value), a driver's error is raised as SQLAlchemy raises it (so an
    unreachable database is a 503, service.outage), and the statement is announced to the
    connection's before_cursor_execute listeners when it runs on a session's connection.
    Bound values may be only those of types the driver takes as they are (strings, numbers).
    """

    def __init__(self, statement: Any) -> None:
        self.statement = statement
        self._prepared: dict[tuple[str, ...], _DriverForm] = {}

    def _prepare(self, dialect: Any) -> _DriverForm:
        prepared = self._prepared.get(dialect_key(dialect))
        if prepared is not None:
            return prepared
        compiled = self.statement.compile(dialect=dialect)
        fixed: dict[str, Any] = {}
        for name, bind in compiled.binds.items():
            if bind.type.dialect_impl(dialect).bind_processor(dialect) is not None:
                raise TypeError(f"{name}: a value the driver cannot take as it is")
            if not bind.required:
                fixed[name] = bind.effective_value
        if compiled.positional:
            order = tuple(compiled.positiontup or ())

            def values(given: Mapping[str, Any]) -> Any:
                return tuple(given[n] if n in given else fixed[n] for n in order)
        else:

            def values(given: Mapping[str, Any]) -> Any:
                return {**fixed, **given}

        processors = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in self.statement.selected_columns
        )
        prepared = self._prepared[dialect_key(dialect)] = (compiled.string, values, processors)
        return prepared

    def rows(self, **params: Any) -> list[tuple]:
        """The rows for these values, read in the current app context.

        On the request's session connection where one is open (its flushed writes are seen, as
        in tests whose sessions join one transaction), else on a pooled connection, in autocommit
        on PostgreSQL (one round trip: no BEGIN, no ROLLBACK) and in SQLite's read-first mode.
        """
        database = get_database()
        bind = database.sessionmaker.kw.get("bind")
        if "db_session" in g or not isinstance(bind, Engine):
            session = get_session()
            if session.autoflush:
                session.flush()  # as an ORM read's autoflush would (usually nothing to do)
            read_first(session)
            connection = session.connection()
            return self._run(connection.dialect, connection.connection, connection, params)
        try:
            pooled = bind.raw_connection()
        except bind.dialect.loaded_dbapi.Error as error:
            # As Engine.connect raises it: a stopped database is then a 503 (service.outage).
            raise _wrapped(error, None, None, bind.dialect, invalidated=False) from error
        try:
            driver = pooled.dbapi_connection
            # psycopg: a read outside a transaction needs neither BEGIN nor the pool's ROLLBACK.
            idle = (
                bind.dialect.name == "postgresql"
                and not driver.autocommit
                and (driver.info.transaction_status == driver.info.transaction_status.IDLE)
            )
            if idle:
                driver.autocommit = True
            try:
                return self._run(bind.dialect, pooled, None, params)
            finally:
                if idle and not driver.closed:
                    driver.autocommit = False
        finally:
            pooled.close()

    def _run(
        self, dialect: Any, pooled: Any, connection: Any, params: Mapping[str, Any]
    ) -> list[tuple]:
        sql, values, processors = self._prepare(dialect)
        parameters = values(params)
        cursor = None
        try:
            # Made inside the handling below, as SQLAlchemy's execution (and Prepared) makes its
            # cursor: a closed connection is then a disconnect, invalidated at once and answered
            # 503 (service.outage), not a raw driver error answered 500.
            cursor = pooled.dbapi_connection.cursor()
            if connection is not None and (connection._has_events or connection.engine._has_events):
                connection.dispatch.before_cursor_execute(
                    connection, cursor, sql, parameters, None, False
                )
            cursor.execute(sql, parameters)
            rows = cursor.fetchall()
        except dialect.loaded_dbapi.Error as error:
            invalidated = dialect.is_disconnect(error, pooled.dbapi_connection, cursor)
            if invalidated:
                # As SQLAlchemy does: this connection is not handed out again.
                (pooled if connection is None else connection).invalidate(error)
            raise _wrapped(error, sql, parameters, dialect, invalidated=invalidated) from error
        finally:
            if cursor is not None:
                cursor.close()
        if not any(processors):
            return rows
        return [
            tuple(v if p is None else p(v) for p, v in zip(processors, row, strict=True))
            for row in rows
        ]


def _wrapped(
    error: Exception, sql: str | None, parameters: Any, dialect: Any, *, invalidated: bool
) -> exc.DBAPIError:
    # A driver's error as SQLAlchemy's execution raises it (values hidden, as make_engine's).
    return exc.DBAPIError.instance(
        sql,
        parameters,
        error,
        dialect.loaded_dbapi.Error,
        hide_parameters=True,
        dialect=dialect,
        connection_invalidated=invalidated,
    )


class Prepared:
    """A Core statement compiled once per dialect and run on the session's own DBAPI cursor.

    For the few statements every webhook runs: SQLAlchemy's execution of a compiled statement
    (its cache lookup, execution context, result object) cost several times what SQLite or a
    prepared PostgreSQL statement takes. Run here, a statement still passes through the
    connection's before_cursor_execute hooks (SQLite's write lock, the tests' statement counts)
    and its error handling (a database out of reach is answered 503, a dead connection is
    discarded), and its values go in and come out through the columns' types as before.
    """

    def __init__(self, statement: Any) -> None:
        self.statement = statement
        # An INSERT or UPDATE sets only the columns given (and their defaults): one form each.
        self._by_keys = bool(statement.is_dml)
        self._forms: dict[tuple[tuple[str, ...], tuple[str, ...]], _Form] = {}

    def rows(self, session: Session, params: Mapping[str, Any]) -> list[tuple]:
        """The statement's rows (none for a statement that returns none), each a tuple."""
        return self._run(session, params)[0]

    def first(self, session: Session, params: Mapping[str, Any]) -> tuple | None:
        """The first row, or None."""
        rows = self._run(session, params)[0]
        return rows[0] if rows else None

    def rowcount(self, session: Session, params: Mapping[str, Any]) -> int:
        """How many rows the statement changed."""
        return self._run(session, params)[1]

    def columns(self, session: Session) -> tuple[str, ...]:
        """The names of the columns each row holds, in order."""
        return self._form(session.get_bind().dialect, ()).names

    def _form(self, dialect: Any, keys: tuple[str, ...]) -> _Form:
        key = (dialect_key(dialect), keys)
        form = self._forms.get(key)
        if form is None:
            form = self._forms[key] = _Form(self.statement, dialect, keys)
        return form

    def _run(self, session: Session, params: Mapping[str, Any]) -> tuple[list[tuple], int]:
        connection = session.connection()
        form = self._form(connection.dialect, tuple(params) if self._by_keys else ())
        values = form.values(params)
        try:
            cursor = connection.connection.cursor()
        except Exception as error:
            # As SQLAlchemy's own execution handles it: a closed connection is a disconnect,
            # invalidated (replaced on its next use) and answered 503, not a 500.
            connection._handle_dbapi_exception(error, form.sql, values, None, None)
        try:
            # The connection's own path for a statement on a cursor: its hooks and its errors.
            connection._cursor_execute(cursor, form.sql, values)
            try:
                rows = cursor.fetchall() if cursor.description else []
            except Exception as error:
                connection._handle_dbapi_exception(error, form.sql, values, cursor, None)
            count = cursor.rowcount
        finally:
            cursor.close()
        if form.processors:
            rows = [form.converted(row) for row in rows]
        return rows, count


class _Form:
    """One dialect's SQL text of a statement, and what converts its values in and out."""

    def __init__(self, statement: Any, dialect: Any, keys: tuple[str, ...]) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=list(keys) or None)
        if compiled.post_compile_params or compiled.literal_execute_params:
            raise ValueError("a prepared statement takes no expanding parameters")
        if compiled.escaped_bind_names:
            raise ValueError("a prepared statement's parameter names need no escaping")
        self.compiled = compiled
        self.sql = compiled.string
        self.positions = compiled.positiontup if compiled.positional else None
        self.bind_processors = dict(compiled._bind_processors)
        # Columns whose Python-side default or onupdate SQLAlchemy would have filled in.
        self.defaults = [(c.key, c.default) for c in compiled.insert_prefetch] + [
            (c.key, c.onupdate) for c in compiled.update_prefetch
        ]
        entries = compiled._result_columns
        self.names = tuple(entry.keyname for entry in entries)
        self.processors = [entry.type._cached_result_processor(dialect, None) for entry in entries]
        if not any(self.processors):
            self.processors = []
        self.sequence = dialect.execute_sequence_format

    def values(self, params: Mapping[str, Any]) -> Any:
        given = dict(params)
        for key, default in self.defaults:
            if key not in given:
                given[key] = default.arg(None) if default.is_callable else default.arg
        values = self.compiled.construct_params(given, escape_names=False)
        processors = self.bind_processors
        for key, process in processors.items():
            if key in values:
                values[key] = process(values[key])
        if self.positions is None:
            return values
        return self.sequence([values[key] for key in self.positions])

    def converted(self, row: tuple) -> tuple:
        return tuple(
            value if process is None or value is None else process(value)
            for value, process in zip(row, self.processors, strict=True)
        )
