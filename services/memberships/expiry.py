"""Ending memberships at their time (SPEC "Memberships", "Discussion group").

`expire_due` ends every active temporal membership whose time has come, each in its
own transaction: a compare-and-set active → expired with `ended_at` = the expiry
itself (not the moment the job ran, so a run after downtime does not stretch the
membership), a "expired" event, then `sync_access` (group removal, invites revoked,
affiliate account back to the pool, the member told) and, when that told the member
nothing, a message of our own that the plan ended. The row is locked first and its
expiry checked again under the lock, so a renewal that committed in between wins and
two runs at once expire it once. Members who blocked the bot still get the message
queued, like every other change to their access.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from domain.membership import MembershipStatus, best_held, is_active_at
from domain.people import Person
from kernel.names import plan_name
from kernel.notices import Notice
from services.access import RemovalCause, sync_access
from services.memberships._base import LifecycleServiceBase
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


def expired_key(membership_id: int) -> str:
    return f"lifecycle-expired:{membership_id}"


# Due memberships read per page.
EXPIRY_CHUNK = 500


class Expiring(LifecycleServiceBase):
    expiry_chunk = EXPIRY_CHUNK

    async def expire_due(self) -> int:
        """End every active temporal membership whose expiry has passed; how many this
        run ended. Safe to run twice or at once: each is ended, removed and told once."""
        now = self.clock.now()
        expired = 0
        after: tuple[datetime, int] | None = None
        while True:
            # A page of due ids at a time (keyset, in expiry order): a short read, then
            # each membership in its own short transaction; the bot's updates get the
            # connection in between.
            async with self.uow() as uow:
                due = await uow.memberships.due_ids_after(now, after, self.expiry_chunk)
            for _, membership_id in due:
                try:
                    expired += await self._expire_one(membership_id, now)
                except Exception:  # one bad row must not keep the others active
                    log.exception("Expiring membership %s failed", membership_id)
                await asyncio.sleep(0)  # let a waiting update take the connection
            if len(due) < self.expiry_chunk:
                break
            after = due[-1]
        if expired:
            log.info("Expired %s membership(s)", expired)
        return expired

    async def _expire_one(self, membership_id: int, now: datetime) -> bool:
        async with self.uow() as uow:
            # Locked and checked again: a renewal committed meanwhile moved the expiry.
            row = await uow.memberships.lock_due(membership_id, now)
            if row is None or row.expires_at is None:
                return False
            ends = row.expires_at
            if not await uow.memberships.end(row.id, MembershipStatus.EXPIRED, "expired", ends):
                return False
            await uow.memberships.record_event(
                row.id, "expired", now, reason="expired", old_expires_at=ends
            )
            member = await uow.members.by_id(row.member_id)
            assert member is not None
            change = await sync_access(uow, member, now, self.config, cause=RemovalCause.EXPIRED)
            if not change.withdrew:
                await self._tell_expired(uow, member, row.id, row.plan_id, ends, now)
            await uow.commit()
            return True

    async def _tell_expired(
        self,
        uow: UnitOfWork,
        member: Person,
        membership_id: int,
        plan_id: int,
        ended: datetime,
        now: datetime,
    ) -> bool:
        found = await uow.catalog.plan(plan_id)
        assert found is not None
        params: dict[str, Any] = {"plan": plan_name(found[0]), "ended": self._when(ended)}
        held = await uow.memberships.held(member.id)
        still = best_held([h for h in held if is_active_at(h, now)])
        key = "lifecycle.expired"
        if still is not None:
            key = "lifecycle.expired_still_holding"
            params["held"] = plan_name(still.plan)
        notice = Notice(
            chat_id=member.telegram_id,
            member_id=member.id,
            text_key=key,
            language=member.language(self.config.default_language),
            params=params,
            buttons=self._buttons(),
            dedupe_key=expired_key(membership_id),
        )
        return await uow.outbox.enqueue(notice, now)
