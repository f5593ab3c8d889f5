"""Jobs never hold the bot (issue 13): the daily report reminder, the expiry sweep and
reminders and the reconcile work in short units of work of a bounded number of members,
so an update gets the connection between two of them; a second run sends nothing new.
check-ledger reads without taking the write lock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.ledger import check as check_module
from services.ledger import check_ledger
from storage.database import create_engine, create_read_engine, create_session_factory
from storage.models import OutboxMessage
from storage.uow import UnitOfWork, UnitOfWorkFactory
from tests.kit.clock import FrozenClock
from tests.kit.units_of_work import CountingUow, counting
from tests.services.reportkit import ADMIN, World, make_world
from tests.services.test_lifecycle import Kit, kit  # noqa: F401 (the fixture)

MEMBERS = [5001 + i for i in range(7)]  # more than three chunks of two


def engine_of(uow: UnitOfWorkFactory) -> AsyncEngine:
    engine = uow.session_factory.kw["bind"]
    assert isinstance(engine, AsyncEngine)
    return engine


async def keys_by_chat(uow: UnitOfWorkFactory, text_key: str) -> list[int]:
    async with uow() as work:
        rows = await work.session.execute(
            select(OutboxMessage.chat_id)
            .where(OutboxMessage.text_key == text_key)
            .order_by(OutboxMessage.chat_id)
        )
        return list(rows.scalars())


async def outbox_size(uow: UnitOfWorkFactory) -> int:
    async with uow() as work:
        return int(await work.session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


class _Hooked:
    """A unit of work that first lets `before` run (between two of the job's units)."""

    def __init__(self, work: UnitOfWork, before: Callable[[], Awaitable[None]]) -> None:
        self.work = work
        self.before = before

    async def __aenter__(self) -> UnitOfWork:
        await self.before()
        return await self.work.__aenter__()

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.work.__aexit__(kind, error, tb)


class Interleaving(CountingUow):
    """Counts units of work and, before every one after the first, runs `between`."""

    def __init__(self, inner: UnitOfWorkFactory, between: Callable[[], Awaitable[None]]) -> None:
        super().__init__(inner)
        self.between = between

    def __call__(self) -> Any:
        work = super().__call__()
        return work if self.opened == 1 else _Hooked(work, self.between)


@pytest.fixture
async def world(uow: UnitOfWorkFactory, clock: FrozenClock) -> World:
    w = await make_world(uow, clock)
    for i, telegram_id in enumerate(MEMBERS):
        await w.join(telegram_id, f"Vip {i}", "vip_lifetime")
    await w.join(4999, "Basic", "basic_lifetime")  # earns no commission: never reminded
    return w


async def test_the_report_reminder_reminds_everyone_once_in_several_units_of_work(
    world: World,
) -> None:
    world.reports.reminder_chunk = 2
    await world.report(MEMBERS[3])  # reported already: not reminded
    counter = counting(world.reports)
    assert await world.reports.remind_missing() == len(MEMBERS) - 1
    assert counter.opened >= 4  # 8 members without a report, two per unit of work
    expected = sorted(m for m in MEMBERS if m != MEMBERS[3])
    assert await keys_by_chat(world.uow, "reports.reminder") == expected
    before = await outbox_size(world.uow)
    assert await world.reports.remind_missing() == 0  # a second run: nothing new
    assert await outbox_size(world.uow) == before


async def test_a_read_runs_between_two_chunks_of_the_reminder(world: World) -> None:
    world.reports.reminder_chunk = 2
    engine = engine_of(world.uow)
    member_id = await world.member_id(MEMBERS[0])
    reads: list[int] = []

    async def balance_meanwhile() -> None:
        # The job holds no connection between its units: a /balance gets it at once.
        assert engine.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]
        await world.ledger.balance(member_id)
        reads.append(len(await keys_by_chat(world.uow, "reports.reminder")))

    counter = Interleaving(world.uow, balance_meanwhile)
    world.reports.uow = counter
    assert await world.reports.remind_missing() == len(MEMBERS)
    assert len(reads) >= 3 and reads[0] == 2  # after the first chunk's two reminders
    assert reads == sorted(reads) and reads[-1] == len(MEMBERS)


async def test_expiry_and_its_reminders_work_in_chunks_and_act_once(kit: Kit) -> None:  # noqa: F811
    kit.lifecycle.expiry_chunk = 2
    kit.lifecycle.reminder_chunk = 2
    ids = [await kit.join(6001 + i, f"Temp {i}", "vip_30d") for i in range(5)]
    kit.at(days=27, hours=12)  # 2.5 days left: the 3-day reminder
    counter = counting(kit.lifecycle)
    assert await kit.lifecycle.remind_expiring() == len(ids)
    assert counter.opened >= 3 + len(ids)  # three pages, then one unit per reminder
    reminded = await keys_by_chat(kit.uow, "lifecycle.remind_days")
    assert reminded == [6001 + i for i in range(5)]
    before = await outbox_size(kit.uow)
    assert await kit.lifecycle.remind_expiring() == 0
    assert await outbox_size(kit.uow) == before

    kit.at(days=31)
    counter.opened = 0
    assert await kit.lifecycle.expire_due() == len(ids)
    assert counter.opened >= 3 + len(ids)
    for member_id in ids:
        assert [m.status.value for _, m in await kit.memberships(member_id)] == ["expired"]
    told = await keys_by_chat(kit.uow, "lifecycle.expired")
    assert told == [6001 + i for i in range(5)]
    before = await outbox_size(kit.uow)
    assert await kit.lifecycle.expire_due() == 0
    assert await outbox_size(kit.uow) == before


async def test_check_ledger_walks_commissions_in_pages_and_takes_no_write_lock(
    world: World, backend: str, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for telegram_id in MEMBERS[:3]:
        await world.reports.validate(await world.report(telegram_id), 1, ADMIN)
    monkeypatch.setattr(check_module, "CHECK_PAGE", 2)
    reader = create_read_engine(db_url)
    writer = create_engine(db_url)
    try:
        async with writer.begin() as connection:  # the bot in the middle of a write
            if backend == "sqlite":
                await connection.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the write lock
            result = await check_ledger(UnitOfWorkFactory(create_session_factory(reader)))
        assert result.ok and result.commissions == 3 and result.breaches == []
    finally:
        await reader.dispose()
        await writer.dispose()


async def test_the_reconcile_works_in_chunks_and_removes_once(kit: Kit) -> None:  # noqa: F811
    kit.access.reconcile_chunk = 2
    outsiders = [7001 + i for i in range(5)]
    await kit.join(7000, "Vip", "vip_30d", inside=True)
    for telegram_id in outsiders:
        await kit.join(telegram_id, f"Basic {telegram_id}", "basic_lifetime", inside=True)
    before = await kit.last_id()
    counter = counting(kit.access)
    live = await kit.access.reconcile(dry_run=False)
    assert live.checked == 6 and sorted(t for t, _ in live.outsiders) == outsiders
    assert live.queued == len(outsiders)
    assert counter.opened >= 4  # six people, two per unit of work, then the admins' alert
    again = await kit.access.reconcile(dry_run=False)
    assert again.queued == 0
    for telegram_id in outsiders:
        assert len(await kit.removals(telegram_id, before)) == 1
    assert await kit.removals(7000, before) == []
