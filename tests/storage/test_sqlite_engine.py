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
