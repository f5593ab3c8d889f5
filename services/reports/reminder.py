"""The daily reminder to members who earn commission and have not reported yet."""

from __future__ import annotations

from domain.commission import earning_tiers
from domain.membership import effective_tier
from domain.reports import jakarta_day
from services.reports._base import ReportServiceBase


class Reminding(ReportServiceBase):
    async def remind_missing(self) -> int:
        """Remind, once per Jakarta day, every member whose tier earns commission today
        and who has not reported yet. Safe to run twice (dedupe key per member per day)."""
        now = self.clock.now()
        day = jakarta_day(now, self.zone)
        sent = 0
        async with self.uow() as uow:
            earning = earning_tiers([s for _, s in await uow.ledger.structures()], day)
            for member in await uow.reports.unreported_members(day):
                tier = effective_tier(await uow.memberships.held(member.id), now)
                if tier is None or tier.code not in earning:
                    continue
                sent += await uow.outbox.tell_member(
                    member,
                    self.default_language,
                    "reports.reminder",
                    {"date": f"{day:%d-%m-%Y}"},
                    f"report-reminder:{member.id}:{day.isoformat()}",
                    now,
                )
            await uow.commit()
        return sent
