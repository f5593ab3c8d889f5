"""SQLite is set up for a money app: WAL, foreign keys, FULL sync, serialized writers."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select, text

from kernel.notices import Notice
from storage.database import create_engine, create_session_factory
from storage.models import OutboxMessage
from storage.uow import UnitOfWorkFactory
from tests.kit.clock import FrozenClock


async def test_every_connection_gets_the_safety_pragmas(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    try:
        async with engine.connect() as connection:
            values = {
                name: (await connection.execute(text(f"PRAGMA {name}"))).scalar_one()
                for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
            }
        assert values == {
            "journal_mode": "wal",
            "foreign_keys": 1,
            "synchronous": 2,  # FULL: a committed approval survives a power cut
            "busy_timeout": 30000,
        }
    finally:
        await engine.dispose()


async def test_the_folder_of_the_database_is_created(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'deep' / 'er' / 'bot.db'}")
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        assert (tmp_path / "deep" / "er" / "bot.db").exists()
    finally:
        await engine.dispose()


async def test_concurrent_read_then_write_transactions_never_lose_an_update(
    sqlite_template: Path, tmp_path: Path, clock: FrozenClock
) -> None:
    path = tmp_path / "c.db"
    path.write_bytes(sqlite_template.read_bytes())
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    uow = UnitOfWorkFactory(create_session_factory(engine))
    try:
        async with uow() as work:
            await work.outbox.enqueue(
                Notice(chat_id=1, text_key="menu.help", language="id"), clock.now()
            )
            await work.commit()

        async def bump() -> None:
            async with uow() as work:
                row = (await work.session.execute(select(OutboxMessage))).scalar_one()
                await asyncio.sleep(0)  # let the others run between the read and the write
                row.attempts = row.attempts + 1
                await work.commit()

        await asyncio.gather(*(bump() for _ in range(30)))
        async with uow() as work:
            row = (await work.session.execute(select(OutboxMessage))).scalar_one()
            assert row.attempts == 30
    finally:
        await engine.dispose()


async def test_a_transaction_that_failed_or_was_left_open_never_leaks_to_the_next_user(
    tmp_path: Path,
) -> None:
    """The adapter skips sqlite's rollback when it knows no transaction is open (the pool's
    reset after every session); after an error or a connection closed mid-transaction
    the rollback still happens: the next writer starts clean and nothing half-done stays."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'r.db'}")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
            await connection.execute(text("INSERT INTO t VALUES (1)"))
        # Left open: written, neither committed nor rolled back by the code.
        async with engine.connect() as connection:
            await connection.execute(text("INSERT INTO t VALUES (2)"))
        # Failed half-way: the first insert is in, the second breaks the key.
        try:
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO t VALUES (3)"))
                await connection.execute(text("INSERT INTO t VALUES (1)"))
        except Exception as error:  # IntegrityError, wrapped by SQLAlchemy
            assert "UNIQUE" in str(error)
        async with engine.begin() as connection:  # BEGIN IMMEDIATE: no transaction left
            await connection.execute(text("INSERT INTO t VALUES (4)"))
        async with engine.connect() as connection:
            ids = (await connection.execute(text("SELECT id FROM t ORDER BY id"))).scalars()
            assert list(ids) == [1, 4]
    finally:
        await engine.dispose()


async def test_a_transaction_makes_one_trip_to_the_database_thread_per_statement(
    tmp_path: Path,
) -> None:
    """Each trip hands the GIL to sqlite's thread and back: BEGIN travels with the first
    statement, and the pool's rollback of a connection whose transaction already ended
    makes none (sqlite's rollback would be a no-op)."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'h.db'}")
    try:
        async with engine.connect() as connection:  # the pool's one connection
            raw = await connection.get_raw_connection()
            adapted = raw.driver_connection
            assert adapted is not None
        trips: list[object] = []
        original = adapted._execute

        async def counting(fn: object, *args: object, **kwargs: object) -> object:
            trips.append(fn)
            return await original(fn, *args, **kwargs)

        adapted._execute = counting  # type: ignore[method-assign]
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            await connection.commit()
        assert len(trips) == 2  # BEGIN IMMEDIATE + SELECT, COMMIT; the pool's reset: none
        async with engine.begin():
            pass
        assert len(trips) == 2  # begun and ended without a statement: nothing sent
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        assert len(trips) == 4  # BEGIN + SELECT, the rollback at close; the reset: none
        del adapted._execute
    finally:
        await engine.dispose()
