"""What a member's ledger adds up to (SPEC "Balances and payouts")."""

from __future__ import annotations

from domain.payouts import Balance, balance_from
from services.ledger._base import LedgerServiceBase
from storage.uow import UnitOfWork


async def balance_of(uow: UnitOfWork, member_id: int) -> Balance:
    sums = await uow.ledger.sums_by_kind(member_id)
    total = await uow.ledger.commission_total(member_id)
    reports = await uow.reports.tally(member_id)
    return balance_from(
        sums,
        total_commission=total,
        validated_reports=reports.validated,
        pending_reports=reports.pending,
        pending_claimed=reports.pending_claimed,
    )


class Balances(LedgerServiceBase):
    async def balance(self, member_id: int) -> Balance:
        async with self.uow() as uow:
            return await balance_of(uow, member_id)

    async def balance_for(self, telegram_id: int) -> Balance | None:
        """A member's own balance (None for someone who never pressed /start)."""
        async with self.uow() as uow:
            member = await uow.members.by_telegram_id(telegram_id)
            return None if member is None else await balance_of(uow, member.id)
