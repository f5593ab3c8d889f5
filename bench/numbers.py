"""numbers: the owner's numbers screen at 100k members (the `scale` data set).

`NumbersService.report` (what /numbers shows for a period) and `trends` (what the charts
draw) on a copy of the cached scale database (bench/scale.py: 100k members, 1M reports
and commissions, 2M ledger entries, 100k approved payments), through the real unit of
work and the system clock; the baseline is the raw point read of `scale`. Every row of
the data set is dated today, so "this month" and "90 days" count all of it (the worst
case: nothing is outside the period). Medians of interleaved rounds; below them each
repository query of `report` alone, to show where the time goes.
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.scale import MEMBERS, ZONE, dataset
from bench.timing import counting_engine, interleaved, table
from domain.numbers import RENEWAL_GRACE, PeriodKind
from kernel.clock import SystemClock
from services.numbers import NumbersService
from storage.database import create_session_factory
from storage.uow import UnitOfWorkFactory

ROUNDS = 7
TARGET_SECONDS = 1.0  # issue 15: the numbers screen answers within a second at 100k


async def numbers_bench(folder: Path) -> str:
    try:
        path, note = await asyncio.to_thread(dataset, folder)
        return await _measure(path, note)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def _measure(path: Path, note: str) -> str:
    engine, statements = counting_engine(path)

    uow = UnitOfWorkFactory(create_session_factory(engine))
    numbers = NumbersService(uow, SystemClock(), ZONE, "id")
    this_month = numbers.period(PeriodKind.THIS_MONTH)
    ninety = numbers.period(PeriodKind.LAST_90_DAYS)

    async def point_read() -> None:
        async with engine.connect() as conn:
            found = await conn.exec_driver_sql(
                "SELECT id, telegram_id, first_name FROM members WHERE id = ?", (12_345,)
            )
            found.all()

    async def report_month() -> None:
        found = await numbers.report(this_month)
        assert found.new_members == MEMBERS and found.leaders

    async def report_90() -> None:
        await numbers.report(ninety)

    async def trends() -> None:
        found = await numbers.trends(this_month)
        assert sum(p.tally.count for p in found.members_by_week) == MEMBERS

    views: list[tuple[str, Callable[[], Awaitable[None]]]] = [
        ("raw point read (baseline)", point_read),
        ("report(this month)", report_month),
        ("report(last 90 days)", report_90),
        ("trends(this month, 12+12 bars)", trends),
    ]
    timings, counts = await interleaved(views, statements, ROUNDS)
    parts = await _report_parts(uow, this_month.start, this_month.until(numbers.clock.now()))
    await engine.dispose()
    lines = [
        f"numbers: the owner's numbers at {MEMBERS:,} members, every row in the period "
        f"({note}); medians of {ROUNDS} interleaved rounds; target < {TARGET_SECONDS:.0f} s",
        *table(views, timings, counts),
    ]
    lines.append("  report(this month), query by query:")
    lines.extend(f"    {name:32} {ms:10.2f}" for name, ms in parts)
    return "\n".join(lines)


async def _report_parts(uow: UnitOfWorkFactory, start: Any, until: Any) -> list[tuple[str, float]]:
    """Each repository query of `report`, timed alone (median of three)."""
    calls: list[tuple[str, Callable[[Any], Awaitable[object]]]] = [
        ("vip_funnel", lambda n: n.vip_funnel(start, until)),
        ("retention", lambda n: n.retention(start, until, RENEWAL_GRACE)),
        ("payout_flow", lambda n: n.payout_flow(start, until)),
        ("leaders", lambda n: n.leaders(until, start, until)),
        ("account_use", lambda n: n.account_use()),
        ("revenue_by", lambda n: n.revenue_by([start, until])),
        ("joined_by", lambda n: n.joined_by([start, until])),
        ("decided_proofs", lambda n: n.decided_proofs(start, until)),
    ]
    found = []
    for name, call in calls:
        spent = []
        for _ in range(3):
            async with uow() as work:
                started = time.perf_counter()
                await call(work.numbers)
                spent.append(time.perf_counter() - started)
        found.append((name, statistics.median(spent) * 1000))
    return found
