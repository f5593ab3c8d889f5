"""numbers: the owner's numbers screen at 100k members, on a year of history.

`NumbersService.report` (what /numbers shows for a period) and `trends` (what the charts
draw) on a copy of the cached data set of bench/numbers_data.py (100,000 members who
joined over the last 365 days, their Basic, VIP and temporal VIP memberships with a
year of renewals and expiries, ~230k approved payments with ~250k decided proofs, ~1M
commissions, ~2.3M ledger entries with ~0.45M payouts, 10,001 leaders), through the
real unit of work on the read-only engine the bot gives the numbers, and the system
clock. The baseline is a raw point read on the same database. Medians of interleaved
rounds, first on a quiet machine, then again while another process keeps one of the
cores busy; below them each repository query of `report` alone, to show where the time
goes.

"First after a start" is a new service each time: it adds the whole ledger up once
(every later report carries that sum forward, services/numbers/report.py). The custom
366 days are the longest period the screen accepts: every row of the data set is in it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.numbers_data import GENERATOR_VERSION, MEMBERS, generate
from bench.scale import CACHE, ZONE, _head
from bench.timing import counting_engine, interleaved, table
from domain.numbers import LEDGER_SETTLED, RENEWAL_GRACE, PeriodKind
from kernel.clock import SystemClock
from services.numbers import NumbersService
from storage.database import create_read_engine, create_session_factory
from storage.uow import UnitOfWorkFactory

ROUNDS = 7
TARGET_SECONDS = 1.0  # issue 15: the numbers screen answers within a second at 100k


def dataset(folder: Path) -> tuple[Path, str]:
    """A copy of the cached data set in `folder` (built from the migrated template the
    bench runner leaves there, on the first run of the day)."""
    today = datetime.now(ZONE).date()
    key = f"numbers-{_head()}-v{GENERATOR_VERSION}-{today.isoformat()}.db"
    cached = CACHE / key
    note = "cached"
    if not cached.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        for old in CACHE.glob("numbers-*.db"):
            old.unlink()
        building = CACHE / (key + ".part")
        building.unlink(missing_ok=True)
        started = time.perf_counter()
        shutil.copyfile(folder / "template.db", building)
        generate(building, datetime.now(UTC), lambda line: print(f"  numbers data: {line}"))
        building.rename(cached)
        note = f"generated in {time.perf_counter() - started:.0f} s"
    copy = folder / "numbers.db"
    shutil.copyfile(cached, copy)
    return copy, note


async def numbers_bench(folder: Path) -> str:
    try:
        path, note = await asyncio.to_thread(dataset, folder)
        return await _measure(path, note)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def _measure(path: Path, note: str) -> str:
    # The bot reads the numbers on an engine of their own (bot/container.py); the counting
    # engine beside it only serves the baseline's point read.
    engine, statements = counting_engine(path)
    reads = create_read_engine(f"sqlite+aiosqlite:///{path}")
    _count_into(reads, statements)
    uow = UnitOfWorkFactory(create_session_factory(reads))
    clock = SystemClock()
    numbers = NumbersService(uow, clock, ZONE, "id")
    today = clock.now().astimezone(ZONE).date()
    periods = {
        "this month": numbers.period(PeriodKind.THIS_MONTH),
        "last month": numbers.period(PeriodKind.LAST_MONTH),
        "last 90 days": numbers.period(PeriodKind.LAST_90_DAYS),
        "custom 366 days": numbers.custom_period(today - timedelta(days=365), today),
    }

    async def point_read() -> None:
        async with engine.connect() as conn:
            found = await conn.exec_driver_sql(
                "SELECT id, telegram_id, first_name FROM members WHERE id = ?", (12_345,)
            )
            found.all()

    def report(name: str) -> Callable[[], Awaitable[None]]:
        async def call() -> None:
            found = await numbers.report(periods[name])
            assert found.leaders and found.new_members
            if name.startswith("custom"):
                assert found.new_members == MEMBERS

        return call

    async def first_report() -> None:
        fresh = NumbersService(uow, clock, ZONE, "id")
        found = await fresh.report(periods["this month"])
        assert found.leaders

    # What an admin's tap gets: the named periods counted in the background (the bot's
    # "numbers-refresh" job, every 4 minutes) and shown from there (`latest`).
    shown = NumbersService(uow, clock, ZONE, "id")
    await shown.refresh()

    async def screen() -> None:
        for kind in (PeriodKind.THIS_MONTH, PeriodKind.LAST_MONTH, PeriodKind.LAST_90_DAYS):
            found = await shown.latest(shown.period(kind))
            assert found.leaders

    async def refresh() -> None:
        await shown.refresh()

    async def trends() -> None:
        found = await numbers.trends(periods["this month"])
        assert sum(p.tally.count for p in found.members_by_week) > 0

    views: list[tuple[str, Callable[[], Awaitable[None]]]] = [
        ("raw point read (baseline)", point_read),
        *((f"report({name})", report(name)) for name in periods),
        ("report(this month), first after start", first_report),
        ("trends(this month, 12+12 bars)", trends),
        ("screen: latest() of the 3 named periods", screen),
        ("refresh() in the background (3 periods)", refresh),
    ]
    load = os.getloadavg()[0]
    timings, counts = await interleaved(views, statements, ROUNDS)
    with _busy_core():
        loaded, _ = await interleaved(views, statements, ROUNDS)
    month = periods["this month"]
    parts = await _report_parts(uow, month.start, month.until(clock.now()))
    await engine.dispose()
    await reads.dispose()
    lines = [
        f"numbers: the owner's numbers at {MEMBERS:,} members over a year ({note}); "
        f"medians of {ROUNDS} interleaved rounds; target < {TARGET_SECONDS:.0f} s; "
        f"load average {load:.1f} before the run",
        *table(views, timings, counts),
        "  the same while another process keeps a core busy:",
        *table(views, loaded, counts),
        "  report(this month), query by query (ms):",
        *(f"    {name:34} {ms:10.2f}" for name, ms in parts),
    ]
    return "\n".join(lines)


def _count_into(engine: AsyncEngine, statements: list[int]) -> None:
    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _count(*args: Any) -> None:
        if not str(args[2]).startswith("BEGIN"):
            statements[0] += 1


@contextmanager
def _busy_core() -> Iterator[None]:
    """Another process spinning on one core while the block runs."""
    process = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        process.kill()
        process.wait()


async def _report_parts(uow: UnitOfWorkFactory, start: Any, until: Any) -> list[tuple[str, float]]:
    """Each repository query of `report`, timed alone (median of three)."""
    settled_at = until - LEDGER_SETTLED
    async with uow() as work:
        settled = await work.numbers.ledger_total(None, settled_at)
        a_day_before = await work.numbers.ledger_total(None, settled_at - timedelta(days=1))
    calls: list[tuple[str, Callable[[Any], Awaitable[object]]]] = [
        ("vip_funnel", lambda n: n.vip_funnel(start, until)),
        ("retention", lambda n: n.retention(start, until, RENEWAL_GRACE)),
        ("ledger_total (whole ledger, once)", lambda n: n.ledger_total(None, settled_at)),
        ("ledger_total (a day carried on)", lambda n: n.ledger_total(a_day_before, settled_at)),
        ("payout_flow", lambda n: n.payout_flow(start, until, settled)),
        ("leaders", lambda n: n.leaders(until, start, until)),
        ("account_use", lambda n: n.account_use()),
        ("revenue_by", lambda n: n.revenue_by([start, until])),
        ("joined_by", lambda n: n.joined_by([start, until])),
        ("proof_decisions", lambda n: n.proof_decisions(start, until)),
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
