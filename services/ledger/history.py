"""A member's ledger as an admin reads it from the member card: what /ledger shows and
the payouts made to them, newest first, one page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from domain.payouts import Balance
from kernel.admin_input import MemberRef
from services.ledger._base import LedgerServiceBase
from services.ledger.balance import balance_of
from services.member_ref import find_member
from storage.repos.ledger import PayoutLine


@dataclass(frozen=True, slots=True)
class MemberLedger:
    """Who the member is, their balance, one page of their payouts (`page`, counted
    from 0, the last one when a later page was asked) and how many payouts in all."""

    name: str
    telegram_id: int
    username: str | None
    balance: Balance
    payouts: tuple[PayoutLine, ...]
    payout_count: int
    page: int


class PayoutHistory(LedgerServiceBase):
    async def member_ledger(self, ref: MemberRef, page: int, per_page: int) -> MemberLedger:
        """The balance and page `page` of the payouts of the member an admin means, in one
        transaction (raises MEMBER_NOT_FOUND). A page past the last (payouts are never
        deleted, so only a forged one) shows the last page."""
        async with self.uow() as uow:
            member = await find_member(uow, ref)
            balance = await balance_of(uow, member.id)
            lines, count = await uow.ledger.payouts_of(member.id, per_page, page * per_page)
            if not lines and count:
                page = (count - 1) // per_page
                lines, count = await uow.ledger.payouts_of(member.id, per_page, page * per_page)
            return MemberLedger(
                member.full_name,
                member.telegram_id,
                member.username,
                balance,
                tuple(lines),
                count,
                page if count else 0,
            )
