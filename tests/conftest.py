"""Shared fixtures: one migrated database per run, a rolled-back transaction per test."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import time_machine
from alembic import command as alembic_command
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Connection, Engine, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from service import create_app, extensions
from service.config import Config
from service.crypto import Vault
from service.db import Database, get_database, get_session, make_engine
from service.migrations import alembic_config
from service.models import Base
from tests.support import ast_guard, fuzz
from tests.support.settings import NEXT_DATA_KEY, TEST_AUTH_TOKEN, TEST_DATA_KEY, app_config

# Before any test runs: CPython 3.11 before 3.11.8 lets two threads' ast.parse corrupt each
# other (werkzeug's URL rules in a test's setup, a traceback in a server's thread).
ast_guard.install()

# Fixtures shared by every folder: the browser (a live server, Chromium, a page; one
# Playwright per run) and the console (a manager's browser, managers per role).
pytest_plugins = [
    "tests.support.browser",
    "tests.support.committed",
    "tests.support.console",
    "tests.support.fake_twilio",
]

# The suite's clock. Every test runs at one moment, FRONTLINE_TEST_NOW (an ISO date and time;
# by default a Wednesday in mid-November at 10:30, outside quiet hours), with the clock ticking
# from there: no result depends on the day or hour the suite happens to run. Set it to replay
# a failure seen at another moment.
TEST_NOW = os.environ.get("FRONTLINE_TEST_NOW") or "2026-11-18T10:30:00+00:00"
_travel: time_machine.travel | None = None


def _test_now() -> dt.datetime:
    moment = dt.datetime.fromisoformat(TEST_NOW)
    if moment.tzinfo is None:
        raise pytest.UsageError("FRONTLINE_TEST_NOW must carry its offset, e.g. +00:00")
    return moment.astimezone(dt.UTC)


def pytest_configure(config: pytest.Config) -> None:
    """Move the whole process's clock to the suite's moment before any fixture runs."""
    global _travel
    url = os.environ.get("FRONTLINE_TEST_DATABASE_URL")
    if url and not os.environ.get("PYTEST_XDIST_WORKER"):
        from bench.cluster import create_database

        # xdist's workers each take a database named after this one, and the tests that make
        # databases of their own connect to this one first: it must exist.
        create_database(url)
    _travel = time_machine.travel(_test_now(), tick=True)
    _travel.start()
    if getattr(config.option, "dist", "no") == "loadgroup":
        # Groups go out in the order collection leaves them (longest first: _longest_first),
        # not re-sorted by their number of tests.
        config.option.loadscopereorder = False


def pytest_unconfigure(config: pytest.Config) -> None:
    """Give the process its real clock back."""
    if _travel is not None:
        _travel.stop()


# Hypothesis: few examples, always the same ones, in `make test`; many and fresh in `make check`.
hypothesis_settings.load_profile(fuzz.PROFILE)

# Markers that put a test in `make check` only (each implies slow), and what gives them.
SLOW_TIERS = ("browser", "reliability", "fuzz", "package", "postgres", "real_clock")
BROWSER_FIXTURES = {"browser", "page", "live"}
# Every fixture that reaches the run's database goes through `prepared` (engine, connection,
# app, session, client, demo...): a test without it runs the same on SQLite and PostgreSQL.
DATABASE_FIXTURE = "prepared"
TESTS = Path(__file__).parent
NEEDS_POSTGRES = pytest.mark.skip(reason="needs FRONTLINE_TEST_DATABASE_URL (PostgreSQL)")


# First, before xdist's own hook looks for the xdist_group marks given here (its worker
# registers after this conftest, and pluggy calls later plugins first).
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tier each test: by its folder and fixtures, then slow for any make-check-only marker;
    mark the ones that reach a database (only they run again on PostgreSQL).

    Under xdist, a module's tests share a worker (their module-scoped fixtures are built once)
    and the reliability suite's cluster tests share one, so two clusters never run at once.
    """
    on_postgres = bool(os.environ.get("FRONTLINE_TEST_DATABASE_URL"))
    xdist = config.pluginmanager.hasplugin("xdist")
    groups: dict[pytest.Item, str] = {}
    for item in items:
        fixtures = _fixtures(item)
        group = item.nodeid.split("::")[0]
        if (TESTS / "reliability") in Path(item.path).parents:
            item.add_marker("reliability")
            if "live" in fixtures:  # the cluster, not a browser's live server
                group = "cluster"
            elif item.get_closest_marker("fuzz"):
                # A fuzzer shares nothing with its neighbours: each is a unit of its own, so the
                # two 100,000-example runs go to both workers rather than one after the other.
                group = item.nodeid
        elif BROWSER_FIXTURES & fixtures:
            item.add_marker("browser")
        if DATABASE_FIXTURE in fixtures or item.get_closest_marker("postgres"):
            item.add_marker("database")
        if any(item.get_closest_marker(name) for name in SLOW_TIERS):
            item.add_marker("slow")
        if item.get_closest_marker("postgres") and not on_postgres:
            item.add_marker(NEEDS_POSTGRES)
        groups[item] = group
        if xdist:
            item.add_marker(pytest.mark.xdist_group(group))
            if getattr(config.option, "loadgroup", False):  # an xdist worker under loadgroup
                _join_group(item, group)
    if xdist and getattr(config.option, "loadgroup", False):
        items[:] = _longest_first(items, groups)


def _fixtures(item: pytest.Item) -> set[str]:
    """The fixtures a test uses, less the names its parametrize marks give values to directly.

    A test parametrized over a `page` of the console is given that value, not the browser tab
    the `page` fixture would open: it is no browser test. (Read as the fixture, the name put
    131 Flask-client tests in the slow tier.)
    """
    names = set(getattr(item, "fixturenames", ()))
    for mark in item.iter_markers("parametrize"):
        argnames = mark.args[0] if mark.args else mark.kwargs["argnames"]
        if isinstance(argnames, str):
            argnames = [name.strip() for name in argnames.split(",")]
        indirect = mark.kwargs.get("indirect", False)
        names -= {
            name
            for name in argnames
            if not (indirect is True or (isinstance(indirect, list | tuple) and name in indirect))
        }
    return names


# The kinds of group that run longest for their few tests, started first (see _longest_first).
LONG_FIRST = ("reliability", "fuzz", "package", "browser")


def _longest_first(items: list[pytest.Item], groups: dict[pytest.Item, str]) -> list[pytest.Item]:
    """The items in the order xdist should hand their groups out: the longest first.

    xdist hands a worker the next group when it runs dry, in this order (pytest_configure turns
    its own reordering off). Sorted by test count, as xdist would, the cluster (7 tests, minutes)
    and the 100,000-example fuzzers (1 test each) went last, and one worker ran them alone
    while the other sat idle. So: the cluster, the fuzzers, the wheel and the browser groups
    first, each kind by test count, then the rest by test count; a group's tests stay together.
    """
    size: dict[str, int] = {}
    rank: dict[str, int] = {}
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        group = groups[item]
        size[group] = size.get(group, 0) + 1
        first.setdefault(group, index)
        kind = next(
            (n for n, name in enumerate(LONG_FIRST) if item.get_closest_marker(name)),
            len(LONG_FIRST),
        )
        rank[group] = min(rank.get(group, kind), kind)
    order = {id(item): index for index, item in enumerate(items)}
    return sorted(
        items,
        key=lambda item: (
            rank[groups[item]],
            -size[groups[item]],
            first[groups[item]],
            order[id(item)],
        ),
    )


def _join_group(item: pytest.Item, group: str) -> None:
    """Suffix the item's id with its group, which is what --dist loadgroup schedules by.

    xdist 3.8 does this itself by setting item._nodeid, which pytest 9 no longer reads (the id
    lives in item._id): its groups were silently ignored, so two reliability clusters ran at
    once on one Redis db, each worker taking the other's tasks and each test flushing both.
    """
    if "@" in item.nodeid.rsplit("::", 1)[-1]:
        return  # already grouped (an xdist that sets the id itself)
    if hasattr(item, "_id"):
        from _pytest.nodeid import coerce_node_id

        item._id = coerce_node_id(f"{item.nodeid}@{group}")


def pytest_report_header(config: pytest.Config) -> str:
    """Say which moment the suite runs at, so a failure can be replayed."""
    return f"clock: FRONTLINE_TEST_NOW={_test_now().isoformat()}"


@pytest.fixture(autouse=True)
def _real_clock_when_marked(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests marked real_clock drive other processes, which keep the real clock: so do they."""
    if _travel is None or request.node.get_closest_marker("real_clock") is None:
        yield
        return
    _travel.stop()
    try:
        yield
    finally:
        _travel.start()


def database_url(tmp_dir: Path) -> str:
    """PostgreSQL when FRONTLINE_TEST_DATABASE_URL says so (one database per xdist worker), else
    a SQLite file."""
    url = os.environ.get("FRONTLINE_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_dir / 'test.db'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        from bench.cluster import create_database

        parsed = make_url(url)
        url = parsed.set(database=f"{parsed.database}_{worker}").render_as_string(
            hide_password=False
        )
        create_database(url)
    return url


def reset_schema(engine: Engine) -> None:
    """Drop every table (ours and Alembic's) so the run starts from nothing."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
            Base.metadata.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(autouse=True)
def _fresh_content_cache() -> None:
    """Each test starts with an empty per-process content cache, as a new process would.

    Copies of the demo share a content version, and a test that travels in time stamps what it
    caches with its own moment: left in place, either would decide what the next test reads.
    """
    from service.content.queries import clear_cache
    from service.organisations.operations import forget_organisations

    clear_cache()
    forget_organisations()  # which organisation each number belongs to, as remembered


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that would open a connection beyond this machine (Twilio above all)."""
    real_connect = socket.socket.connect

    def guarded(sock: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (
            host.startswith("127.") or host in {"::1", "localhost"} or sock.family == socket.AF_UNIX
        ):
            raise AssertionError(f"test tried to reach {host}: tests must stay on this machine")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@dataclass
class Prepared:
    """The run's database, migrated once, and a second one holding the demo council too."""

    engine: Engine
    demo_engine: Engine | None  # PostgreSQL: tests that need the demo share this one
    demo_file: Path | None  # SQLite: each test that needs the demo gets a copy of this file


def _load_demo_into(url: str, instance: Path) -> None:
    """Load the demo council into the database at url, committed, as `make run` does."""
    from service.demo import load_demo

    maker = create_app(app_config(instance, url))
    with maker.app_context(), get_database(maker).session() as session:
        load_demo(session)
    get_database(maker).dispose()


def _migrated(url: str) -> Engine:
    """An engine on url's database, emptied and migrated to head."""
    eng = make_engine(url)
    reset_schema(eng)
    with eng.begin() as conn:
        alembic_command.upgrade(alembic_config(url, conn), "head")
    return eng


@pytest.fixture(scope="session")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prepared]:
    """Migrate the run's database once, and prepare the demo council once beside it.

    The demo is some 970 statements: loaded for every test that needs it, it was the suite's
    largest single cost. On SQLite each such test starts from a copy of a file holding it. On
    PostgreSQL a second database holds it, committed; tests that need it run there inside their
    rolled-back transaction, as every test does, so it stays as loaded.
    """
    url = database_url(tmp_path_factory.mktemp("db"))
    eng = _migrated(url)
    demo_file = demo_engine = None
    if eng.dialect.name == "sqlite":
        eng.dispose()  # closing the last connection folds the WAL into the file
        demo_file = tmp_path_factory.mktemp("demo") / "demo.db"
        shutil.copyfile(eng.url.database, demo_file)
        _load_demo_into(f"sqlite:///{demo_file}", demo_file.parent)
    else:
        from bench.cluster import create_database

        parsed = make_url(url)
        demo_url = parsed.set(database=f"{parsed.database}_demo").render_as_string(
            hide_password=False
        )
        create_database(demo_url)
        demo_engine = _migrated(demo_url)
        _load_demo_into(demo_url, tmp_path_factory.mktemp("demo"))
    yield Prepared(eng, demo_engine, demo_file)
    eng.dispose()
    if demo_engine is not None:
        demo_engine.dispose()


@pytest.fixture
def engine(request: pytest.FixtureRequest, prepared: Prepared) -> Iterator[Engine]:
    """The test's database: the run's, or one with the demo council in it when it needs it."""
    if "demo" not in request.fixturenames:
        yield prepared.engine
        return
    if prepared.demo_engine is not None:
        yield prepared.demo_engine
        return
    copy = prepared.demo_file.with_name("test.db")
    shutil.copyfile(prepared.demo_file, copy)
    eng = make_engine(f"sqlite:///{copy}")
    yield eng
    eng.dispose()


@pytest.fixture
def config(tmp_path: Path, engine: Engine) -> Config:
    """A development configuration pointing at the test database."""
    return app_config(
        tmp_path / "instance",
        engine.url.render_as_string(hide_password=False),
        TWILIO_ACCOUNT_SID="AC" + "0" * 32,
        TWILIO_AUTH_TOKEN=TEST_AUTH_TOKEN,
        DEV_TOOLS=True,
        QUEUE_IMMEDIATE=True,
        LOG_LEVEL="DEBUG",
        # Hashing is not what these tests test: argon2 at its cheapest (production refuses it).
        ARGON2_PROFILE="cheapest",
    )


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    conn = engine.connect()
    outer = conn.begin()
    yield conn
    if outer.is_active:
        outer.rollback()
    conn.close()


@pytest.fixture
def queued() -> list[int]:
    """Outbox ids handed to the work queue after their transaction committed."""
    return []


@pytest.fixture
def app(config: Config, connection: Connection, queued: list[int]):
    """The app, with every session it opens joined to the test's rolled-back transaction."""
    application = create_app(config)
    database = get_database(application)
    # Tests run the worker's code explicitly (see tests/outbox), so queueing just records.
    database.queue = queued.extend
    _join_test_transaction(database, connection)
    extensions.huey.immediate = True
    with application.app_context():
        yield application
    database.dispose()


def _join_test_transaction(database: Database, connection: Connection) -> None:
    """Every session the database opens joins the test's rolled-back transaction."""
    database.sessionmaker = sessionmaker(
        bind=connection,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
        info=database.session_info(),
    )


@pytest.fixture
def rotated_app(app, config: Config, connection: Connection):
    """A second app, on the same test transaction, with NEXT_DATA_KEY and the test key as old."""
    application = create_app(config.replace(DATA_KEY=NEXT_DATA_KEY, OLD_DATA_KEYS=TEST_DATA_KEY))
    database = get_database(application)
    _join_test_transaction(database, connection)
    with application.app_context():
        yield application
    database.dispose()


@pytest.fixture
def session(app) -> Session:
    """The app context's session, in the test's transaction, as operations receive it.

    Requests made with the test client share the test's app context, so handlers get this
    same session: what a test writes, a request sees, and one rollback undoes both.
    """
    return get_session()


@pytest.fixture
def client(app):
    """Flask's test client."""
    return app.test_client()


@pytest.fixture
def vault() -> Vault:
    """The vault the test app uses."""
    return Vault(TEST_DATA_KEY)


@pytest.fixture
def demo(session):
    """The demo council, owner of the number 0113 496 0000 that channels are reached on."""
    from service.demo import load_demo
    from service.organisations.operations import organisation_for_number

    if load_demo(session):  # the test's database normally came with it (see `prepared`)
        session.flush()
    return organisation_for_number(session, "+441134960000")


@pytest.fixture
def demo_committed(demo, session) -> None:
    """The demo council committed (to the test's savepoint), for tests whose refused requests
    roll back: the rollback must not take the demo away too. Asked for with usefixtures."""
    session.commit()
