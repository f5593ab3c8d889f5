"""Shared fixtures: databases built by the migrations, on SQLite and PostgreSQL.

Every test that takes `db_url` (or `uow`) runs twice: on SQLite and on a real
PostgreSQL. Each test gets a fresh database copied from a migrated template,
so services commit for real and concurrency tests see real locking.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from kernel.clock import Clock
from storage.database import create_engine, create_session_factory
from storage.migrate import upgrade_on
from storage.uow import UnitOfWorkFactory
from tests.kit.clock import FrozenClock
from tests.servers import PostgresServer, RedisServer, ServerUnavailable

IN_CI = os.environ.get("CI", "").lower() == "true"
_counter = itertools.count()


def unavailable(what: str, reason: str) -> None:
    """Skip with a visible reason on a machine without the server; in CI, fail."""
    message = f"{what} unavailable: {reason}"
    if IN_CI:
        pytest.fail(f"{message} (CI must run every test against real servers)", pytrace=False)
    pytest.skip(message)


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        await upgrade_on(connection)
    await engine.dispose()


def _asyncpg_dsn(url: str, database: str = "postgres") -> str:
    parsed = make_url(url).set(drivername="postgresql", database=database)
    return parsed.render_as_string(hide_password=False)


async def _pg_admin(url: str, *statements: str) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield given
        return
    try:
        server = PostgresServer.start()
    except ServerUnavailable as error:
        unavailable("PostgreSQL", str(error))
        return
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_template(postgres_server_url: str) -> str:
    """A database at the latest migration, copied for each test."""
    name = f"membot_template_{os.getpid()}"
    asyncio.run(
        _pg_admin(
            postgres_server_url, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'
        )
    )
    template_url = make_url(postgres_server_url).set(database=name).render_as_string(False)
    asyncio.run(_migrate(template_url))
    return name


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    given = os.environ.get("TEST_REDIS_URL")
    if given:
        yield given
        return
    try:
        server = RedisServer.start()
    except ServerUnavailable as error:
        unavailable("Redis", str(error))
        return
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, fully migrated database for one test."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.db"
        shutil.copyfile(template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    server_url: str = request.getfixturevalue("postgres_server_url")
    template_name: str = request.getfixturevalue("postgres_template")
    name = f"membot_test_{os.getpid()}_{next(_counter)}"
    asyncio.run(_pg_admin(server_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"'))
    yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_pg_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def empty_db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all, for migration tests."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    server_url: str = request.getfixturevalue("postgres_server_url")
    name = f"membot_empty_{os.getpid()}_{next(_counter)}"
    asyncio.run(_pg_admin(server_url, f'CREATE DATABASE "{name}"'))
    yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_pg_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
async def uow(db_url: str) -> AsyncIterator[UnitOfWorkFactory]:
    engine = create_engine(db_url)
    try:
        yield UnitOfWorkFactory(create_session_factory(engine))
    finally:
        await engine.dispose()


def as_clock(clock: FrozenClock) -> Clock:
    return clock
