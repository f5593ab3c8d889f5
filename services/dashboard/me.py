"""What /me shows, read in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from domain.payouts import Balance
from kernel.clock import Clock
from services.access import GroupConfig, GroupStatus, group_status
from services.affiliates import HeldAccount
from services.affiliates._common import held_view
from services.ledger.balance import balance_of
from services.payments import Overview, PaymentError, PaymentProblem, overview_of
from storage.uow import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class VipDashboard:
    """An active VIP's part of /me: the group, their TikTok account, their commission."""

    group: GroupStatus
    account: HeldAccount | None
    balance: Balance


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Everything /me shows: the member's plans and open payment, and their VIP part
    (None unless they have VIP access now)."""

    overview: Overview
    vip: VipDashboard | None


class DashboardService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, group: GroupConfig) -> None:
        self.uow = uow
        self.clock = clock
        self.group = group

    async def dashboard(self, telegram_id: int) -> Dashboard:
        """/me for this member, in one transaction (raises PaymentError NOT_REGISTERED
        for someone who never pressed /start, as the payment overview does)."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await uow.members.by_telegram_id(telegram_id)
            if member is None:
                raise PaymentError(PaymentProblem.NOT_REGISTERED)
            overview = await overview_of(uow, member, now)
            group = await group_status(uow, self.group, telegram_id, member, now)
            if not group.has_access:
                return Dashboard(overview, None)
            held = await uow.affiliates.held_by(member.id)
            account = None if held is None else held_view(held)
            return Dashboard(
                overview, VipDashboard(group, account, await balance_of(uow, member.id))
            )
