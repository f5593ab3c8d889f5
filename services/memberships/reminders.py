"""Reminding members 3 days and 1 day before a temporal membership ends.

Once each per period: the dedupe keys name the membership and its current expiry, so a
renewal gets reminders of its own. After downtime only the reminder of the window the
membership is in now is sent (`domain.membership.reminder_due`). Members who blocked
the bot are not reminded (the relay could not deliver it).
"""

from __future__ import annotations

import asyncio
import logging
import math
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.membership import REMINDER_WINDOWS, reminder_due
from kernel.names import plan_name
from kernel.notices import Notice
from services.memberships._base import LifecycleServiceBase

log = logging.getLogger(__name__)

_ONE_DAY = timedelta(days=1)


def reminder_key(membership_id: int, days: int, expires_at: datetime) -> str:
    """Once per membership, window and period (a renewal moves `expires_at`)."""
    stamp = expires_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
    return f"lifecycle-remind:{membership_id}:{days}d:{stamp}"


# Expiring memberships read per page.
REMINDER_CHUNK = 500


class Reminding(LifecycleServiceBase):
    reminder_chunk = REMINDER_CHUNK

    async def remind_expiring(self) -> int:
        """Queue the 3-day and 1-day reminders that are due; how many this run queued."""
        now = self.clock.now()
        widest = max(width for _, width in REMINDER_WINDOWS)
        queued = 0
        after: tuple[datetime, int] | None = None
        while True:
            # A page at a time (keyset, in expiry order), each reminder in its own short
            # transaction: the bot's updates get the connection in between.
            async with self.uow() as uow:
                page = await uow.memberships.expiring_after(
                    now, now + widest, after, self.reminder_chunk
                )
                wanted: dict[str, tuple[int, int, datetime]] = {}
                for expiring in page:
                    days = reminder_due(expiring.expires_at, expiring.started_at, now)
                    if days is None:
                        continue
                    wanted[reminder_key(expiring.id, days, expiring.expires_at)] = (
                        expiring.id,
                        days,
                        expiring.expires_at,
                    )
                if wanted:
                    for key in await uow.outbox.queued_keys(list(wanted)):
                        wanted.pop(key, None)
            for membership_id, days, expires_at in wanted.values():
                try:
                    queued += await self._remind_one(membership_id, days, expires_at, now)
                except Exception:
                    log.exception("Reminding about membership %s failed", membership_id)
                await asyncio.sleep(0)  # let a waiting update take the connection
            if len(page) < self.reminder_chunk:
                break
            after = (page[-1].expires_at, page[-1].id)
        if queued:
            log.info("Queued %s expiry reminder(s)", queued)
        return queued

    async def _remind_one(
        self, membership_id: int, days: int, expires_at: datetime, now: datetime
    ) -> bool:
        async with self.uow() as uow:
            # The lock makes a concurrent run wait, then see this run's reminder.
            row = await uow.memberships.lock_expiring_at(membership_id, expires_at)
            if row is None:  # ended or renewed meanwhile
                return False
            member = await uow.members.by_id(row.member_id)
            found = await uow.catalog.plan(row.plan_id)
            if member is None or found is None:
                return False
            left = expires_at - now
            params: dict[str, Any] = {
                "plan": plan_name(found[0]),
                "until": self._when(expires_at),
                "days": max(1, math.ceil(left / _ONE_DAY)),
            }
            notice = Notice(
                chat_id=member.telegram_id,
                member_id=member.id,
                text_key="lifecycle.remind_last_day" if days == 1 else "lifecycle.remind_days",
                language=member.language(self.config.default_language),
                params=params,
                buttons=self._renew_buttons(row.plan_id),
                dedupe_key=reminder_key(membership_id, days, expires_at),
            )
            queued = await uow.outbox.enqueue(notice, now)
            await uow.commit()
            return queued
