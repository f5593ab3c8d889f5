"""The daily reminder to members who earn commission and have not reported yet."""

from __future__ import annotations

import asyncio

from domain.commission import earning_tiers
from domain.membership import effective_tier
from domain.reports import jakarta_day
from kernel.dates import day_param
from services.reports._base import ReportServiceBase

# Members per unit of work: each chunk is one short transaction, so the bot's updates
# get the (single SQLite) connection between two chunks instead of waiting for the job.
REMINDER_CHUNK = 250


def reminder_key(member_id: int, day_iso: str) -> str:
    return f"report-reminder:{member_id}:{day_iso}"


class Reminding(ReportServiceBase):
    reminder_chunk = REMINDER_CHUNK

    async def remind_missing(self) -> int:
        """Remind, once per Jakarta day, every member whose tier earns commission today
        and who has not reported yet. Safe to run twice (dedupe key per member per day)
        and to stop midway: it works in chunks of members by id, each committed on its
        own, and a re-run skips whoever was already reminded."""
        now = self.clock.now()
        day = jakarta_day(now, self.zone)
        params = {"date": day_param(day)}
        sent = 0
        after = 0
        earning: set[str] | None = None
        while True:
            async with self.uow() as uow:
                if earning is None:
                    earning = earning_tiers([s for _, s in await uow.ledger.structures()], day)
                if not earning:
                    break
                members = await uow.reports.unreported_members_after(
                    day, after, self.reminder_chunk
                )
                if not members:
                    break
                after = members[-1].id
                held = await uow.memberships.held_by_members([m.id for m in members])
                due = []
                for member in members:
                    tier = effective_tier(held.get(member.id, []), now)
                    if tier is not None and tier.code in earning:
                        due.append((member, reminder_key(member.id, day.isoformat())))
                sent += await uow.outbox.tell_members(
                    due, self.default_language, "reports.reminder", params, now
                )
                await uow.commit()
            if len(members) < self.reminder_chunk:
                break
            await asyncio.sleep(0)  # let a waiting update take the connection first
        return sent
