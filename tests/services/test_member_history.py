"""A member's payouts and reports a page at a time, newest first (the member card's
history screens), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from kernel.admin_input import AdminToolError, MemberRef
from storage.uow import UnitOfWorkFactory
from tests.kit.clock import FrozenClock
from tests.services.reportkit import ADMIN, VIP_ANI, VIP_BUDI, figures, make_world, shots

ANI = MemberRef(telegram_id=VIP_ANI)


async def test_payouts_come_newest_first_a_page_at_a_time_with_the_balance(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    world = await make_world(uow, clock)
    await world.join(VIP_ANI, "Ani", "vip_lifetime")
    await world.join(VIP_BUDI, "Budi", "vip_lifetime")
    for member in (VIP_ANI, VIP_BUDI):
        view = await world.reports.submit(member, world.today(), figures(200_000), shots())
        await world.reports.validate(view.id, view.version, ADMIN)
    await world.ledger.payout_to(MemberRef(telegram_id=VIP_BUDI), 1_000, "OVO", None, ADMIN)
    for n in range(5):
        await world.ledger.payout_to(ANI, 1_000 + n, "BCA", f"T{n}", ADMIN)
        clock.advance(hours=1)

    first = await world.ledger.member_ledger(ANI, 0, 2)
    last = await world.ledger.member_ledger(ANI, 2, 2)

    assert (first.name, first.payout_count, first.page) == ("Ani", 5, 0)
    assert [(p.amount, p.reference) for p in first.payouts] == [(1_004, "T4"), (1_003, "T3")]
    assert [p.amount for p in last.payouts] == [1_000]  # Budi's payout is not Ani's
    assert first.balance.paid == sum(range(1_000, 1_005))
    assert first.payouts[0].created_at > first.payouts[1].created_at
    beyond = await world.ledger.member_ledger(ANI, 9, 2)
    assert (beyond.page, [p.amount for p in beyond.payouts]) == (2, [1_000])


async def test_a_member_never_paid_has_an_empty_first_page(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    world = await make_world(uow, clock)
    await world.join(VIP_ANI, "Ani", None)
    found = await world.ledger.member_ledger(ANI, 3, 10)
    assert (found.payouts, found.payout_count, found.page) == ((), 0, 0)
    with pytest.raises(AdminToolError):
        await world.ledger.member_ledger(MemberRef(telegram_id=424242), 0, 10)


async def test_reports_come_newest_day_first_a_page_at_a_time(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    world = await make_world(uow, clock)
    await world.join(VIP_ANI, "Ani", "vip_lifetime")
    days = []
    for n in range(3):
        days.append(world.today())
        view = await world.reports.submit(VIP_ANI, world.today(), figures(10_000 + n), shots())
        if n == 0:
            await world.reports.validate(view.id, view.version, ADMIN)
        clock.advance(days=1)

    first = await world.reports.history_page(ANI, 0, 2)
    second = await world.reports.history_page(ANI, 1, 2)

    assert (first.name, first.total, first.page) == ("Ani", 3, 0)
    assert [r.report_date for r in first.reports] == [days[2], days[1]]
    assert [r.figures.commission for r in second.reports] == [10_000]
    assert second.reports[0].member_share is not None  # the validated one, with its share
    assert (await world.reports.history_page(ANI, 5, 2)).page == 1
    with pytest.raises(AdminToolError):
        await world.reports.history_page(MemberRef(telegram_id=424242), 0, 2)
