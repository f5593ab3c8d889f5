"""What a member sees of the group in /me, and asking for a new invite."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from domain.invites import InviteRefusal, invite_refusal
from domain.people import Person
from kernel.actions import INVITE_ACTION
from services.access._base import AccessBase
from services.access.config import IN_GROUP, GroupConfig
from services.access.sync import queue_invite
from services.entitlement import has_access
from storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class GroupStatus:
    configured: bool
    has_access: bool
    inside: bool
    invite_link: str | None = None
    invite_expires_at: datetime | None = None
    invite_queued: bool = False


@dataclass(frozen=True, slots=True)
class InviteAnswer:
    """A VIP's "ask for an invite" tap: why nothing was done (`refused`), or where the
    group stands now that an invite is live or queued."""

    status: GroupStatus
    refused: InviteRefusal | None


async def group_status(
    uow: UnitOfWork, config: GroupConfig, telegram_id: int, member: Person | None, now: datetime
) -> GroupStatus:
    """What /me shows about the group, for `member` (None: never pressed /start), read
    in the caller's transaction."""
    configured = config.chat_id is not None
    if member is None:
        return GroupStatus(configured, False, False)
    access = await has_access(uow, member.id, now)
    inside = configured and (
        await uow.access.presence(config.chat_id or 0, telegram_id) in IN_GROUP
    )
    invite = await uow.access.live_invite(member.id, now)
    return GroupStatus(
        configured,
        access,
        inside,
        invite.invite_link if invite is not None else None,
        invite.expires_at if invite is not None else None,
        await uow.outbox.pending_action(INVITE_ACTION, member.id),
    )


class StatusQueries(AccessBase):
    async def status(self, telegram_id: int) -> GroupStatus:
        """What /me shows about the group."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await uow.members.by_telegram_id(telegram_id)
            return await group_status(uow, self.config, telegram_id, member, now)

    async def request_invite(self, telegram_id: int) -> GroupStatus:
        """A VIP outside the group asks for a (new) invite: queued unless a live one
        exists. Returns where the group stands then, read in the same transaction."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await uow.members.by_telegram_id(telegram_id)
            status = await group_status(uow, self.config, telegram_id, member, now)
            if member is None or not status.has_access:
                return status
            status = await self._queue(uow, member, status, now)
            await uow.commit()
            return status

    async def ask_invite(self, telegram_id: int) -> InviteAnswer:
        """The invite button under /me, in one transaction: refused (nothing queued) for
        someone without VIP access, without a configured group or already inside;
        otherwise `request_invite`."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await uow.members.by_telegram_id(telegram_id)
            status = await group_status(uow, self.config, telegram_id, member, now)
            refused = invite_refusal(
                has_access=status.has_access, configured=status.configured, inside=status.inside
            )
            if refused is not None or member is None:
                return InviteAnswer(status, refused or InviteRefusal.NOT_VIP)
            status = await self._queue(uow, member, status, now)
            await uow.commit()
            return InviteAnswer(status, None)

    async def _queue(
        self, uow: UnitOfWork, member: Person, status: GroupStatus, now: datetime
    ) -> GroupStatus:
        """Queue the member's invite (unless one is live or on its way) and say so in
        `status` (the queued row is not flushed, so it is not read back)."""
        queued = await queue_invite(uow, member, now, self.config)
        return dataclasses.replace(status, invite_queued=status.invite_queued or queued)
