"""A member's reports, for the admins (history) and for the member (/balance)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.payouts import Balance
from kernel.admin_input import MemberRef
from services.ledger.balance import own_balance
from services.member_ref import find_member
from services.reports._base import ReportServiceBase, ReportView
from storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class MemberReports:
    """/reports MEMBER: who the member is, their latest reports and how many in all."""

    name: str
    telegram_id: int
    reports: list[ReportView]
    total: int


@dataclass(frozen=True, slots=True)
class MemberReportsPage:
    """A member's reports one page at a time (the member card): who the member is, page
    `page` (counted from 0; the last one when a later page was asked) and how many
    reports in all."""

    name: str
    telegram_id: int
    reports: list[ReportView]
    total: int
    page: int


@dataclass(frozen=True, slots=True)
class BalanceScreen:
    """/balance: the member's own balance and their latest reports."""

    balance: Balance
    latest: list[ReportView]


class Queries(ReportServiceBase):
    async def waiting_count(self) -> int:
        """How many reports wait for an admin's validation (the admin home's count)."""
        async with self.uow() as uow:
            return await uow.reports.count_submitted()

    async def history(self, member_id: int, limit: int = 15) -> tuple[list[ReportView], int]:
        """A member's latest reports, newest first, and how many they have in all."""
        async with self.uow() as uow:
            return await self._history(uow, member_id, limit)

    async def history_of(self, ref: MemberRef, limit: int = 15) -> MemberReports:
        """`history` of the member an admin means, looked up in the same transaction
        (raises MEMBER_NOT_FOUND)."""
        async with self.uow() as uow:
            member = await find_member(uow, ref)
            views, total = await self._history(uow, member.id, limit)
            return MemberReports(member.full_name, member.telegram_id, views, total)

    async def history_page(self, ref: MemberRef, page: int, per_page: int) -> MemberReportsPage:
        """Page `page` of the reports of the member an admin means, newest day first, in
        one transaction (raises MEMBER_NOT_FOUND). A page past the last (the member has
        fewer reports now, or a forged button) shows the last page."""
        async with self.uow() as uow:
            member = await find_member(uow, ref)
            rows, total = await uow.reports.page_of_member(member.id, per_page, page * per_page)
            if not rows and total:
                page = (total - 1) // per_page
                rows, total = await uow.reports.page_of_member(member.id, per_page, page * per_page)
            views = await self._views(uow, rows)
            return MemberReportsPage(
                member.full_name, member.telegram_id, views, total, page if total else 0
            )

    async def _history(
        self, uow: UnitOfWork, member_id: int, limit: int
    ) -> tuple[list[ReportView], int]:
        found = await uow.reports.of_member(member_id)
        return await self._views(uow, found[:limit]), len(found)

    async def latest(self, telegram_id: int, limit: int = 7) -> list[ReportView]:
        """The member's own latest reports (for /balance)."""
        async with self.uow() as uow:
            member = await self._member(uow, telegram_id)
            return await self._latest_views(uow, member.id, limit)

    async def balance_with_latest(self, telegram_id: int, limit: int = 7) -> BalanceScreen | None:
        """The member's own balance and latest reports in one transaction (/balance);
        None for someone who never pressed /start. Here rather than in the ledger
        service because a report's view (its commission share) is the reports' own."""
        async with self.uow() as uow:
            found = await own_balance(uow, telegram_id)
            if found is None:
                return None
            member_id, balance = found
            return BalanceScreen(balance, await self._latest_views(uow, member_id, limit))
