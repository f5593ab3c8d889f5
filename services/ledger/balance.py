"""What a member's ledger adds up to (SPEC "Balances and payouts")."""

from __future__ import annotations

from dataclasses import dataclass

from domain.payouts import Balance, balance_from
from kernel.admin_input import MemberRef
from services.ledger._base import LedgerServiceBase
from services.member_ref import find_member
from storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class MemberBalance:
    """A member's balance as /ledger shows it, with who they are."""

    name: str
    telegram_id: int
    username: str | None
    balance: Balance


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

    async def member_balance(self, ref: MemberRef) -> MemberBalance:
        """The balance of the member an admin means (raises MEMBER_NOT_FOUND): /ledger,
        the lookup and the sums in one transaction."""
        async with self.uow() as uow:
            member = await find_member(uow, ref)
            return MemberBalance(
                member.full_name,
                member.telegram_id,
                member.username,
                await balance_of(uow, member.id),
            )
