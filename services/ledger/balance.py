"""What a member's ledger adds up to (SPEC "Balances and payouts")."""

from __future__ import annotations

from dataclasses import dataclass

from domain.payouts import Balance, balance_from
from domain.states import LedgerKind
from kernel.admin_input import MemberRef
from services.ledger._base import LedgerServiceBase
from services.member_ref import find_member
from storage.repos.reports import ReportTally
from storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class MemberBalance:
    """A member's balance as /ledger shows it, with who they are."""

    name: str
    telegram_id: int
    username: str | None
    balance: Balance


async def balance_of(uow: UnitOfWork, member_id: int) -> Balance:
    return _balance(*await uow.ledger.balance_sums(member_id))


async def own_balance(uow: UnitOfWork, telegram_id: int) -> tuple[int, Balance] | None:
    """A member's id and own balance in one statement (None for someone who never
    pressed /start)."""
    found = await uow.ledger.balance_sums_of(telegram_id)
    if found is None:
        return None
    member_id, sums, total, reports = found
    return member_id, _balance(sums, total, reports)


def _balance(sums: dict[LedgerKind, int], total: int, reports: ReportTally) -> Balance:
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
            found = await own_balance(uow, telegram_id)
            return None if found is None else found[1]

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
