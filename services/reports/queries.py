"""A member's reports, for the admins (history) and for the member (/balance)."""

from __future__ import annotations

from services.reports._base import ReportServiceBase, ReportView


class Queries(ReportServiceBase):
    async def history(self, member_id: int, limit: int = 15) -> tuple[list[ReportView], int]:
        """A member's latest reports, newest first, and how many they have in all."""
        async with self.uow() as uow:
            found = await uow.reports.of_member(member_id)
            return [await self._view(uow, r) for r in found[:limit]], len(found)

    async def latest(self, telegram_id: int, limit: int = 7) -> list[ReportView]:
        """The member's own latest reports (for /balance)."""
        async with self.uow() as uow:
            member = await self._member(uow, telegram_id)
            return [await self._view(uow, r) for r in await uow.reports.of_member(member.id, limit)]
