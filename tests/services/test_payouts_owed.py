"""Whom the admins still have to pay, and the payout methods they used lately (the
admin console's payout screens)."""

from __future__ import annotations

from kernel.admin_input import MemberRef
from storage.uow import UnitOfWorkFactory
from tests.kit.clock import FrozenClock
from tests.services.reportkit import ADMIN, VIP_ANI, VIP_BUDI, figures, make_world, shots


async def test_members_owed_come_most_owed_first_and_leave_once_paid(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    world = await make_world(uow, clock)
    await world.join(VIP_ANI, "Ani", "vip_lifetime")
    await world.join(VIP_BUDI, "Budi", "vip_lifetime")
    assert (await world.ledger.owed(0, 8)).count == 0
    for member, commission in ((VIP_ANI, 100_000), (VIP_BUDI, 300_000)):
        view = await world.reports.submit(member, world.today(), figures(commission), shots())
        await world.reports.validate(view.id, view.version, ADMIN)
    ani = (await world.ledger.balance_for(VIP_ANI)).available  # type: ignore[union-attr]
    budi = (await world.ledger.balance_for(VIP_BUDI)).available  # type: ignore[union-attr]

    owed = await world.ledger.owed(0, 8)
    assert (owed.count, owed.total) == (2, ani + budi)
    assert [(m.name, m.amount) for m in owed.members] == [("Budi", budi), ("Ani", ani)]
    assert [m.name for m in (await world.ledger.owed(1, 8)).members] == ["Ani"]

    await world.ledger.payout_to(MemberRef(telegram_id=VIP_BUDI), None, "BCA", None, ADMIN)
    await world.ledger.payout_to(MemberRef(telegram_id=VIP_ANI), 1_000, "DANA", None, ADMIN)
    owed = await world.ledger.owed(0, 8)
    assert [(m.name, m.amount) for m in owed.members] == [("Ani", ani - 1_000)]
    assert await world.ledger.recent_methods() == ["DANA", "BCA"]
    await world.ledger.payout_to(MemberRef(telegram_id=VIP_ANI), 1_000, "BCA", None, ADMIN)
    assert await world.ledger.recent_methods() == ["BCA", "DANA"]
    assert await world.ledger.recent_methods(1) == ["BCA"]
