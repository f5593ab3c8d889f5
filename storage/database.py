"""Engine and session setup.

SQLite: one connection does all the work (concurrent aiosqlite connections
only fight over SQLite's single write lock), every transaction begins with
BEGIN IMMEDIATE (a deferred one that reads then writes can fail with
SQLITE_BUSY), WAL, foreign keys, a busy timeout and synchronous=FULL so an
approved payment survives a power cut.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import AsyncAdaptedQueuePool

from storage.sqlite_driver import one_hop_dbapi

SQLITE_BUSY_TIMEOUT_MS = 30_000
# The read-only connection of long reads (create_read_engine): page cache and mapping.
READ_CACHE_KIB = 64 * 1024
READ_MMAP_BYTES = 256 * 1024 * 1024


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database; None for an in-memory one or another backend."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def anchor_sqlite_path(url: str, root: Path) -> str:
    """The URL with a relative SQLite path made absolute under `root`, so every command
    uses the same file whatever folder it is started from; other URLs are unchanged."""
    path = sqlite_file(url)
    if path is None or path.is_absolute():
        return url
    anchored = make_url(url).set(database=str(root / path))
    return anchored.render_as_string(hide_password=False)


def describe_database(url: str) -> str:
    """The URL to show the operator: which database, never its password."""
    return make_url(url).render_as_string(hide_password=True)


def ensure_sqlite_folder(url: str) -> None:
    path = sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction begin away from the driver so we can say IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    if is_sqlite(url):
        ensure_sqlite_folder(url)
        engine = create_async_engine(
            url,
            echo=echo,
            module=one_hop_dbapi(),
            poolclass=AsyncAdaptedQueuePool,
            pool_size=1,
            max_overflow=0,
            pool_timeout=120,
        )
        _configure_sqlite(engine)
        return engine
    return create_async_engine(url, echo=echo, pool_size=10, max_overflow=5, pool_pre_ping=True)


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def create_read_engine(url: str) -> AsyncEngine:
    """An engine for a job that only reads (check-ledger): it takes no write lock.

    SQLite: its own connection, transactions begin with a plain deferred BEGIN (a
    read snapshot under WAL, writers go on meanwhile) and `PRAGMA query_only` refuses
    any write. PostgreSQL: READ ONLY, REPEATABLE READ transactions (one snapshot)."""
    if is_sqlite(url):
        engine = create_async_engine(
            url,
            module=one_hop_dbapi(),
            poolclass=AsyncAdaptedQueuePool,
            pool_size=1,
            max_overflow=0,
            pool_timeout=120,
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA query_only=ON")
            # Long reads go over the same indexes again and again (the owner's numbers:
            # ./scripts/bench numbers): a 64 MiB page cache and the file mapped in.
            cursor.execute(f"PRAGMA cache_size=-{READ_CACHE_KIB}")
            cursor.execute(f"PRAGMA mmap_size={READ_MMAP_BYTES}")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN DEFERRED")

        return engine
    return create_async_engine(
        url,
        pool_size=1,
        max_overflow=0,
        isolation_level="REPEATABLE READ",
        execution_options={"postgresql_readonly": True},
    )
