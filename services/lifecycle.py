"""Membership lifecycle jobs (SPEC "Memberships", "Discussion group"; issue item 3).

`expire_due` ends every active temporal membership whose time has come, each in its
own transaction: a compare-and-set active → expired with `ended_at` = the expiry
itself (not the moment the job ran, so a run after downtime does not stretch the
membership), a "expired" event, then `sync_access` (group removal, invites revoked,
affiliate account back to the pool, the member told) and, when that told the member
nothing, a message of our own that the plan ended. The row is locked first and its
expiry checked again under the lock, so a renewal that committed in between wins and
two runs at once expire it once.

`remind_expiring` reminds members 3 days and 1 day before a temporal membership ends
(once each per period: the dedupe keys name the membership and its current expiry,
so a renewal gets reminders of its own). After downtime only the reminder of the
window the membership is in now is sent: less than a day left → only the 1-day one.
Members who blocked the bot are not reminded (the relay could not deliver it); an
expiry message is still queued for them, like every other change to their access.
"""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from domain.membership import MembershipStatus, is_active_at
from kernel.clock import Clock
from kernel.names import plan_name
from kernel.notices import Button, Notice
from services.access import GroupConfig, RemovalCause, language_of, sync_access
from storage.models import Member, Membership, MembershipEvent, OutboxMessage
from storage.repos.catalog import CatalogRepository
from storage.repos.memberships import MembershipRepository
from storage.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["REMINDER_WINDOWS", "LifecycleService", "reminder_key"]

log = logging.getLogger(__name__)

# Reminder windows, narrowest first: a membership inside several gets the narrowest.
REMINDER_WINDOWS: tuple[tuple[int, timedelta], ...] = (
    (1, timedelta(days=1)),
    (3, timedelta(days=3)),
)
_ONE_DAY = timedelta(days=1)


def reminder_key(membership_id: int, days: int, expires_at: datetime) -> str:
    """Once per membership, window and period (a renewal moves `expires_at`)."""
    stamp = expires_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
    return f"lifecycle-remind:{membership_id}:{days}d:{stamp}"


def expired_key(membership_id: int) -> str:
    return f"lifecycle-expired:{membership_id}"


def _window(left: timedelta) -> tuple[int, timedelta] | None:
    """The narrowest reminder window (days, width) a membership with `left` time is in."""
    for days, width in REMINDER_WINDOWS:
        if left <= width:
            return days, width
    return None


class LifecycleService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, config: GroupConfig) -> None:
        self.uow = uow
        self.clock = clock
        self.config = config

    def _when(self, moment: datetime) -> str:
        local = moment.astimezone(self.config.zone)
        return f"{local:%d-%m-%Y %H:%M} {local.tzname() or ''}".rstrip()

    def _buttons(self) -> tuple[tuple[Button, ...], ...]:
        if self.config.renew_callback is None:
            return ()
        return ((Button("lifecycle.renew_button", callback_data=self.config.renew_callback),),)

    # ------------------------------------------------------------------ expiry

    async def expire_due(self) -> int:
        """End every active temporal membership whose expiry has passed; how many this
        run ended. Safe to run twice or at once: each is ended, removed and told once."""
        now = self.clock.now()
        async with self.uow() as uow:
            found = await uow.session.execute(
                select(Membership.id)
                .where(
                    Membership.status == MembershipStatus.ACTIVE,
                    Membership.expires_at.is_not(None),
                    Membership.expires_at <= now,
                )
                .order_by(Membership.expires_at, Membership.id)
            )
            due = list(found.scalars())
        expired = 0
        for membership_id in due:
            try:
                expired += await self._expire_one(membership_id, now)
            except Exception:  # one bad row must not keep the others active
                log.exception("Expiring membership %s failed", membership_id)
        if expired:
            log.info("Expired %s membership(s)", expired)
        return expired

    async def _expire_one(self, membership_id: int, now: datetime) -> bool:
        async with self.uow() as uow:
            # Locked and checked again: a renewal committed meanwhile moved the expiry.
            locked = await uow.session.execute(
                select(Membership)
                .where(
                    Membership.id == membership_id,
                    Membership.status == MembershipStatus.ACTIVE,
                    Membership.expires_at.is_not(None),
                    Membership.expires_at <= now,
                )
                .with_for_update()
            )
            row = locked.scalar_one_or_none()
            if row is None or row.expires_at is None:
                return False
            ends = row.expires_at
            memberships = MembershipRepository(uow.session)
            if not await memberships.end(row.id, MembershipStatus.EXPIRED, "expired", ends):
                return False
            uow.session.add(
                MembershipEvent(
                    membership_id=row.id,
                    kind="expired",
                    reason="expired",
                    old_expires_at=ends,
                    new_expires_at=None,
                    created_at=now,
                )
            )
            await uow.session.flush()
            member = await uow.session.get(Member, row.member_id)
            assert member is not None
            change = await sync_access(uow, member, now, self.config, cause=RemovalCause.EXPIRED)
            if not change.withdrew:
                await self._tell_expired(uow, member, row.id, row.plan_id, ends, now)
            await uow.commit()
            return True

    async def _tell_expired(
        self,
        uow: UnitOfWork,
        member: Member,
        membership_id: int,
        plan_id: int,
        ended: datetime,
        now: datetime,
    ) -> bool:
        found = await CatalogRepository(uow.session).plan(plan_id)
        assert found is not None
        params: dict[str, Any] = {"plan": plan_name(found[0]), "ended": self._when(ended)}
        held = [
            h
            for h in await MembershipRepository(uow.session).held(member.id)
            if is_active_at(h, now)
        ]
        key = "lifecycle.expired"
        if held:
            best = max(held, key=lambda h: (h.plan.tier.rank, h.expires_at is None))
            key = "lifecycle.expired_still_holding"
            params["held"] = plan_name(best.plan)
        notice = Notice(
            chat_id=member.telegram_id,
            member_id=member.id,
            text_key=key,
            language=language_of(member, self.config.default_language),
            params=params,
            buttons=self._buttons(),
            dedupe_key=expired_key(membership_id),
        )
        return await uow.outbox.enqueue(notice, now)

    # --------------------------------------------------------------- reminders

    async def remind_expiring(self) -> int:
        """Queue the 3-day and 1-day reminders that are due; how many this run queued."""
        now = self.clock.now()
        widest = max(width for _, width in REMINDER_WINDOWS)
        async with self.uow() as uow:
            found = await uow.session.execute(
                select(
                    Membership.id,
                    Membership.expires_at,
                    Membership.activated_at,
                    Membership.created_at,
                )
                .join(Member, Member.id == Membership.member_id)
                .where(
                    Membership.status == MembershipStatus.ACTIVE,
                    Membership.expires_at.is_not(None),
                    Membership.expires_at > now,
                    Membership.expires_at <= now + widest,
                    Member.blocked_bot_at.is_(None),
                )
                .order_by(Membership.expires_at, Membership.id)
            )
            wanted: dict[str, tuple[int, int, datetime]] = {}
            for membership_id, expires_at, activated_at, created_at in found.all():
                window = _window(expires_at - now)
                if window is None:
                    continue
                days, width = window
                # A period no longer than the window (a 1-day plan) is not reminded
                # right after it was bought.
                if expires_at - (activated_at or created_at) <= width:
                    continue
                wanted[reminder_key(membership_id, days, expires_at)] = (
                    membership_id,
                    days,
                    expires_at,
                )
            if wanted:
                sent_before = await uow.session.execute(
                    select(OutboxMessage.dedupe_key).where(
                        OutboxMessage.dedupe_key.in_(list(wanted))
                    )
                )
                for key in sent_before.scalars():
                    wanted.pop(key or "", None)
        queued = 0
        for membership_id, days, expires_at in wanted.values():
            try:
                queued += await self._remind_one(membership_id, days, expires_at, now)
            except Exception:
                log.exception("Reminding about membership %s failed", membership_id)
        if queued:
            log.info("Queued %s expiry reminder(s)", queued)
        return queued

    async def _remind_one(
        self, membership_id: int, days: int, expires_at: datetime, now: datetime
    ) -> bool:
        async with self.uow() as uow:
            # The lock makes a concurrent run wait, then see this run's reminder.
            locked = await uow.session.execute(
                select(Membership)
                .where(
                    Membership.id == membership_id,
                    Membership.status == MembershipStatus.ACTIVE,
                    Membership.expires_at == expires_at,
                )
                .with_for_update()
            )
            row = locked.scalar_one_or_none()
            if row is None:  # ended or renewed meanwhile
                return False
            member = await uow.session.get(Member, row.member_id)
            found = await CatalogRepository(uow.session).plan(row.plan_id)
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
                language=language_of(member, self.config.default_language),
                params=params,
                buttons=self._buttons(),
                dedupe_key=reminder_key(membership_id, days, expires_at),
            )
            queued = await uow.outbox.enqueue(notice, now)
            await uow.commit()
            return queued
