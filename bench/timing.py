"""What the database benches share: an engine that counts the SQL it runs, views timed in
interleaved rounds (so machine noise falls on all of them alike), and their table."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import create_engine

View = tuple[str, Callable[[], Awaitable[None]]]


def counting_engine(path: Path) -> tuple[AsyncEngine, list[int]]:
    """The bot's engine on the SQLite file, and a one-item list counting its statements
    (BEGIN not counted)."""
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    statements = [0]

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _count(*args: Any) -> None:
        if not str(args[2]).startswith("BEGIN"):
            statements[0] += 1

    return engine, statements


async def interleaved(
    views: list[View], statements: list[int], rounds: int
) -> tuple[dict[str, list[float]], dict[str, int]]:
    """Each view once to warm up (counting its statements), then `rounds` rounds, every
    other one in reverse order. Returns the timings and the statement counts."""
    timings: dict[str, list[float]] = {name: [] for name, _ in views}
    counts: dict[str, int] = {}
    for name, call in views:
        statements[0] = 0
        await call()
        counts[name] = statements[0]
    for round_ in range(rounds):
        for name, call in views if round_ % 2 == 0 else views[::-1]:
            started = time.perf_counter()
            await call()
            timings[name].append(time.perf_counter() - started)
    return timings, counts


def table(views: list[View], timings: dict[str, list[float]], counts: dict[str, int]) -> list[str]:
    """Median ms, statements and the ratio to the first view (the baseline)."""
    base = statistics.median(timings[views[0][0]])
    lines = [f"  {'what':34} {'median ms':>10} {'SQL':>6} {'ratio':>9}"]
    for name, _ in views:
        median = statistics.median(timings[name])
        lines.append(f"  {name:34} {median * 1000:10.2f} {counts[name]:6d} {median / base:8.1f}x")
    return lines
