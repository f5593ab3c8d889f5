"""The member and owner views read a fixed number of SQL statements whatever the size
(issue 13): /team, /balance, /pending, the /reports list and /member each cost the same
with a few rows as with many. Behaviour tests: statements are counted, never timed."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from kernel.admin_input import MemberRef
from services.members.lookup import MemberLookupService
from services.payments import PaymentService, ProofFile
from storage.models import PaymentMethod
from storage.uow import UnitOfWorkFactory
from tests.kit.clock import FrozenClock
from tests.services.reportkit import ADMIN, LEADER_LINA, VIP_ANI, World, make_world

ZONE = ZoneInfo("Asia/Jakarta")
VIP_LIFETIME = 2


@contextmanager
def counted(uow: UnitOfWorkFactory) -> Iterator[list[int]]:
    """How many SQL statements run inside the block (BEGIN not counted)."""
    engine: AsyncEngine = uow.session_factory.kw["bind"]
    count = [0]

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if not statement.lstrip().upper().startswith("BEGIN"):
            count[0] += 1

    event.listen(engine.sync_engine, "before_cursor_execute", on_execute)
    try:
        yield count
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", on_execute)


async def statements(uow: UnitOfWorkFactory, call: Callable[[], Awaitable[object]]) -> int:
    with counted(uow) as count:
        await call()
    return count[0]


@pytest.fixture
async def world(uow: UnitOfWorkFactory, clock: FrozenClock) -> World:
    w = await make_world(uow, clock)
    await w.join(LEADER_LINA, "Lina", "vip_lifetime")
    return w


async def add_subs(world: World, first: int, count: int) -> None:
    """`count` VIP subs of Lina, each with a validated report today."""
    code = await world.code(LEADER_LINA)
    for telegram_id in range(first, first + count):
        await world.join(telegram_id, f"Sub{telegram_id}", "vip_lifetime", f"ref_{code}")
        await world.reports.validate(await world.report(telegram_id, 10_000), 1, ADMIN)


async def test_the_team_costs_the_same_for_3_subs_as_for_15(world: World) -> None:
    await add_subs(world, 2000, 3)
    few = await statements(world.uow, lambda: world.leaders.team(LEADER_LINA))
    await add_subs(world, 2003, 12)
    team = await world.leaders.team(LEADER_LINA)
    assert team is not None and len(team.subs) == 15
    assert {(s.reports_this_month, s.leader_share) for s in team.subs} == {(1, 500)}
    many = await statements(world.uow, lambda: world.leaders.team(LEADER_LINA))
    assert few == many


async def test_the_balance_costs_the_same_for_1_report_as_for_6(
    world: World, clock: FrozenClock
) -> None:
    await world.join(VIP_ANI, "Ani", "vip_lifetime")
    await world.reports.validate(await world.report(VIP_ANI, 10_000, n=2), 1, ADMIN)
    few = await statements(world.uow, lambda: world.reports.balance_with_latest(VIP_ANI, 5))
    for _ in range(5):
        clock.advance(days=1)
        await world.report(VIP_ANI, 20_000, n=3)
    screen = await world.reports.balance_with_latest(VIP_ANI, 5)
    assert screen is not None and len(screen.latest) == 5
    assert screen.balance.pending_reports == 5 and screen.balance.validated_reports == 1
    many = await statements(world.uow, lambda: world.reports.balance_with_latest(VIP_ANI, 5))
    assert few == many


async def test_the_reports_list_costs_the_same_for_3_reports_as_for_15(world: World) -> None:
    async def join_and_report(first: int, count: int) -> None:
        for telegram_id in range(first, first + count):
            await world.join(telegram_id, f"M{telegram_id}", "vip_lifetime")
            await world.report(telegram_id, 10_000, n=2)

    await join_and_report(3000, 3)
    few = await statements(world.uow, lambda: world.reports.pending(ADMIN, 20))
    await join_and_report(3003, 12)
    listing = await world.reports.pending(ADMIN, 20)
    assert listing.total == 15 and {line.screenshots for line in listing.lines} == {2}
    many = await statements(world.uow, lambda: world.reports.pending(ADMIN, 20))
    assert few == many


def proof(n: int) -> ProofFile:
    return ProofFile(
        telegram_file_id=f"file-{n}",
        file_unique_id=f"uniq-{n}",
        sha256=hashlib.sha256(str(n).encode()).hexdigest(),
        perceptual_hash=hashlib.md5(str(n).encode()).hexdigest()[:16],
        size_bytes=1000,
        width=800,
        height=1200,
        image_format="JPEG",
    )


async def test_pending_payments_cost_the_same_for_4_requests_as_for_16(
    world: World, clock: FrozenClock
) -> None:
    async with world.uow() as work:
        work.session.add(
            PaymentMethod(code="bca", kind="bank", label="BCA", account_number="123", position=1)
        )
        await work.commit()
    payments = PaymentService(world.uow, clock, ZONE, "id")

    async def open_requests(first: int, count: int) -> None:
        """Half of them with a proof sent (the same picture twice: a repeated proof)."""
        for telegram_id in range(first, first + count):
            await world.join(telegram_id, f"P{telegram_id}", None)
            view = await payments.start_purchase(telegram_id, VIP_LIFETIME, None)
            method = (await payments.methods())[0]
            await payments.choose_method(telegram_id, view.id, method.id)
            if telegram_id % 2:
                await payments.attach_proof(telegram_id, proof(telegram_id // 4))
            clock.advance(minutes=1)

    await open_requests(4000, 4)
    few = await statements(world.uow, lambda: payments.pending(30))
    await open_requests(4004, 12)
    queue = await payments.pending(30)
    cards = queue.cards
    assert len(cards) == queue.submitted == 8 and len(queue.waiting) == queue.waiting_total == 8
    # The lists stop at their limits; the counts still say how many wait in all.
    first = await payments.pending(3, 5)
    assert [c.request_id for c in first.cards] == [c.request_id for c in cards[:3]]
    assert len(first.waiting) == 5 and (first.submitted, first.waiting_total) == (8, 8)
    assert any(card.params["flags"]["key"] != "review.no_flags" for card in cards)
    many = await statements(world.uow, lambda: payments.pending(30))
    assert few == many


async def test_the_member_card_costs_the_same_for_1_membership_as_for_2(
    world: World, clock: FrozenClock
) -> None:
    lookup = MemberLookupService(world.uow, clock, ZONE, "id")
    await world.join(VIP_ANI, "Ani", "basic_lifetime")
    ani = MemberRef(telegram_id=VIP_ANI)
    few = await statements(world.uow, lambda: lookup.member_card(ani))
    await world.tools.grant(MemberRef(telegram_id=VIP_ANI), "vip_lifetime", "test", ADMIN)
    card = await lookup.member_card(ani)
    assert len(card.memberships) == 2
    many = await statements(world.uow, lambda: lookup.member_card(ani))
    assert few == many
