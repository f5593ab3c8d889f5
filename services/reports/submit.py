"""A member sends (or replaces) the day's report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from domain.membership import effective_tier
from domain.reports import MAX_SCREENSHOTS, ReportFigures, Screenshot, jakarta_day, may_submit_for
from domain.states import ReportStatus
from kernel.dates import day_param
from services.reports._base import ReportError, ReportProblem, ReportView
from services.reports.cards import Cards
from storage.errors import Conflict


class Submitting(Cards):
    async def can_report(self, telegram_id: int) -> tuple[date, ReportView | None]:
        """Before the flow starts: today's date and today's report if any. Refused for
        people without an active membership and when today's report is validated."""
        now = self.clock.now()
        day = jakarta_day(now, self.zone)
        async with self.uow() as uow:
            member = await self._member(uow, telegram_id)
            if effective_tier(await uow.memberships.held(member.id), now) is None:
                raise ReportError(ReportProblem.NO_MEMBERSHIP)
            row = await uow.reports.on_day(member.id, day)
            existing = await self._view(uow, row) if row is not None else None
            if existing is not None and existing.status == ReportStatus.VALIDATED:
                raise ReportError(ReportProblem.ALREADY_VALIDATED, date=day_param(day))
            return day, existing

    async def submit(
        self,
        telegram_id: int,
        day: date,
        figures: ReportFigures,
        screenshots: Sequence[Screenshot],
    ) -> ReportView:
        """Send (or replace) the member's report for `day`: today, or yesterday for a
        report begun before midnight. The admins get a new card; older cards of the same
        report stop working (their version is gone)."""
        if not screenshots:
            raise ReportError(ReportProblem.NO_SCREENSHOTS)
        if len(screenshots) > MAX_SCREENSHOTS:
            raise ReportError(ReportProblem.TOO_MANY_SCREENSHOTS, max=MAX_SCREENSHOTS)
        now = self.clock.now()
        if not may_submit_for(day, jakarta_day(now, self.zone)):
            raise ReportError(ReportProblem.DAY_PASSED, date=day_param(day))
        for attempt in range(2):
            try:
                return await self._submit(telegram_id, day, figures, screenshots, now)
            except Conflict:
                # Two sends raced to create the day's report; the second one replaces it.
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def _submit(
        self,
        telegram_id: int,
        day: date,
        figures: ReportFigures,
        screenshots: Sequence[Screenshot],
        now: datetime,
    ) -> ReportView:
        async with self.uow() as uow:
            member = await self._member(uow, telegram_id)
            if effective_tier(await uow.memberships.held(member.id), now) is None:
                raise ReportError(ReportProblem.NO_MEMBERSHIP)
            row = await uow.reports.on_day(member.id, day)
            replaced = row is not None
            if row is None:
                row = await uow.reports.create(member.id, day, figures, now)
            else:
                if not await uow.reports.rewrite(row.id, figures, now):
                    raise ReportError(ReportProblem.ALREADY_VALIDATED, date=day_param(day))
                row = await uow.reports.get(row.id)
                assert row is not None
                await uow.reports.delete_screenshots(row.id)
            await uow.reports.add_screenshots(row.id, screenshots)
            await self._queue_card(uow, row, member, list(screenshots), now)
            view = await self._view(uow, row, replaced)
            await uow.commit()
            return view
