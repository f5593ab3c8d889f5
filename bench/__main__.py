"""Benchmarks: each reports a ratio against a baseline measured in the same run.

    ./scripts/bench                 all benchmarks
    ./scripts/bench sqlite-writers  one of them

sqlite-writers: the same concurrent write transactions (a member's outbox row,
as a service writes it) through the engine the bot uses (one connection,
BEGIN IMMEDIATE) and through a pool of four connections. The bot's choice is the
baseline; a ratio above 1 means the pool is slower.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool

from bench.scale import scale
from kernel.notices import Notice
from storage import database
from storage.database import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.uow import UnitOfWorkFactory

TRANSACTIONS = 600
CONCURRENCY = 24
ROUNDS = 3


def pooled_engine(url: str, size: int) -> AsyncEngine:
    engine = create_async_engine(
        url, poolclass=AsyncAdaptedQueuePool, pool_size=size, max_overflow=0, pool_timeout=120
    )
    database._configure_sqlite(engine)
    return engine


async def write_load(engine: AsyncEngine) -> float:
    uow = UnitOfWorkFactory(create_session_factory(engine))
    now = datetime.now(UTC)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(TRANSACTIONS):
        queue.put_nowait(i)

    async def worker() -> None:
        while not queue.empty():
            i = queue.get_nowait()
            async with uow() as work:
                await work.outbox.enqueue(
                    Notice(chat_id=i, text_key="menu.help", language="id"), now
                )
                await work.commit()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    elapsed = time.perf_counter() - started
    await engine.dispose()
    return elapsed


async def sqlite_writers(folder: Path) -> str:
    template = folder / "template.db"
    results: dict[str, list[float]] = {"single": [], "pool4": []}
    try:
        for round_ in range(ROUNDS):
            for name in ("single", "pool4") if round_ % 2 == 0 else ("pool4", "single"):
                path = folder / f"{name}-{round_}.db"
                shutil.copyfile(template, path)
                url = f"sqlite+aiosqlite:///{path}"
                engine = create_engine(url) if name == "single" else pooled_engine(url, 4)
                results[name].append(await write_load(engine))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    single = min(results["single"])
    pool = min(results["pool4"])
    return (
        f"sqlite-writers: {TRANSACTIONS} write transactions, {CONCURRENCY} at once, best of "
        f"{ROUNDS}\n  baseline one connection: {TRANSACTIONS / single:.0f} tx/s (1.00)\n"
        f"  pool of four connections: {TRANSACTIONS / pool:.0f} tx/s "
        f"(time ratio {pool / single:.2f} against the baseline)"
    )


BENCHMARKS: dict[str, Callable[[Path], Awaitable[str]]] = {"sqlite-writers": sqlite_writers}

from bench.memory import memory_bench  # noqa: E402
from bench.mix import approve_bench, mix_bench  # noqa: E402

BENCHMARKS.update({"mix": mix_bench, "approve": approve_bench, "memory": memory_bench})
BENCHMARKS["scale"] = scale

from bench.jobs import jobs  # noqa: E402

BENCHMARKS["jobs"] = jobs

from bench.announce import announce_bench  # noqa: E402

BENCHMARKS["announce"] = announce_bench

from bench.numbers import numbers_bench  # noqa: E402

BENCHMARKS["numbers"] = numbers_bench


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    for name in names:
        folder = Path(tempfile.mkdtemp(prefix="membot-bench-"))
        upgrade(f"sqlite+aiosqlite:///{folder / 'template.db'}")  # before the loop starts
        print(asyncio.run(BENCHMARKS[name](folder)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
